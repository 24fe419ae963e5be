/* Read models of the candidate's pages: everything a page shows, as plain structs, in one
 * round trip to PostgreSQL (prepared statements sent together, db_batch). */
#ifndef ESONR_CANDIDATE_VIEW_H
#define ESONR_CANDIDATE_VIEW_H
#include "db/catalogue.h"
#include "db/programme.h"
#include "domain/user.h"

/* A live booking (not cancelled, session not published). */
struct cv_booking {
	const char *id, *exam, *status, *when, *location, *session_id;
	int waitlisted;
};

/* An examination with the candidate's eligibility. */
struct cv_exam {
	const struct cat_exam *exam;
	struct exam_answer ans;
	const char *held; /* the number of a valid certificate of this exam, or NULL */
	/* Dashboard only: the next session not closed yet (next_id NULL when none). */
	const char *next_id, *next_date, *next_location;
	const char *next_opens; /* when booking opens, if it has not yet; else NULL */
};

/* A session open for booking (the exams page). */
struct cv_session {
	const char *id, *exam, *exam_title, *when, *location, *seats_left, *capacity, *waitlisted;
	const char *opens; /* when booking opens, if it has not yet; else NULL */
	const char *closes, *cancel_until;
	const char *my_booking; /* the candidate's live booking of this session, or NULL */
	int full, eligible, can_book;
};

struct candidate_view {
	const struct catalogue *cat;
	struct records rec;
	struct cv_exam *exams; /* one per exam of the catalogue, in its order */
	size_t nexams;
	struct cv_booking *bookings;
	size_t nbookings;
	struct cv_session *sessions; /* CV_EXAMS only */
	size_t nsessions;
};

enum cv_page { CV_DASHBOARD, CV_EXAMS };

/* The view for the signed-in candidate u (with the records version its session read). */
enum db_status candidate_view_load(struct arena *a, const struct user *u, enum cv_page page,
    struct candidate_view *out);

/* A published result (the results page). */
struct cv_result {
	const char *booking_id, *exam, *exam_title, *date, *location;
	int absent, passed, amended;
	const char *written, *pass_written, *oral, *pass_oral, *outcome, *decision_reason;
	const char *amendment_reason, *amended_on, *certificate;
};

enum db_status candidate_results_load(struct arena *a, const char *user_id, struct cv_result **out,
    size_t *n);

/* One of the candidate's bookings, whatever its state (the booking page and its .ics). */
struct cv_booking_detail {
	int found; /* 0: no such booking of this candidate */
	const char *id, *exam, *exam_title, *status, *when, *location, *cancel_until, *position;
	const char *booked_at;
	int can_cancel;
	/* The prerequisites in force when the booking was made. */
	struct rule *rules_then;
	size_t nrules_then;
	/* For the calendar file. */
	const char *ics_uid, *tzid, *start, *end, *dtstamp;
	int ics_sequence, dst, utc_offset_minutes;
};

enum db_status candidate_booking_load(struct arena *a, const char *user_id, const char *booking_id,
    struct cv_booking_detail *out);

#endif
