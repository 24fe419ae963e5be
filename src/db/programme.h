/* Loads a candidate's records and an examination's rules from PostgreSQL into the
 * plain structs of domain/eligibility.h, and answers "may this candidate book?". */
#ifndef ESONR_PROGRAMME_H
#define ESONR_PROGRAMME_H
#include "db/db.h"
#include "domain/eligibility.h"

enum db_status records_load(struct arena *a, const char *user_id, struct records *out);
/* Every rule of the exam, in force or not (rules_in_force() picks). */
enum db_status rules_load(struct arena *a, const char *exam_code, struct rule **out, size_t *n);

struct exam_answer {
	const char *exam;
	struct rule *rules;      /* the rules in force */
	struct rule_result *results;
	size_t n;
	struct eligibility e;
};

/* Rules in force at now (db_now), checked against the candidate's records as of today. */
enum db_status exam_eligibility(struct arena *a, const char *exam_code, const struct records *r,
    int64_t now, const char *today, struct exam_answer *out);
/* The database's clock: now as unix microseconds and today's date in the office's time zone. */
enum db_status db_now(struct arena *a, int64_t *now, const char **today);

/* The same loads as parts of one round trip with other statements (db_batch): the calls
 * to queue, and what turns their results into the structs above. */
enum records_query { RECORDS_ATTENDANCES, RECORDS_CERTIFICATES, RECORDS_ATTESTATIONS, RECORDS__MAX };
void records_calls(const char *user_id, struct db_call calls[RECORDS__MAX]);
/* Fails only when the catalogue (course titles, which modules have an MCQ) cannot be read. */
enum db_status records_parse(struct arena *a, PGresult *const res[RECORDS__MAX], struct records *out);
/* Every exam's rules, in force or not, grouped by exam. */
struct exam_rules {
	const char *exam;
	struct rule *rules;
	size_t n;
};
void rules_all_call(struct db_call *call);
void rules_all_parse(struct arena *a, const PGresult *r, struct exam_rules **out, size_t *n);
void db_now_call(struct db_call *call);
void db_now_parse(const PGresult *r, int64_t *now, const char **today);
/* exam_eligibility with the exam's rules already loaded (all of them; n of them). */
void exam_eligibility_of(struct arena *a, const char *exam_code, const struct rule *all, size_t n,
    const struct records *r, int64_t now, const char *today, struct exam_answer *out);

/* The office's page of the programme: each exam's marks and every rule, in force or not. */
struct exam_marks_row {
	const char *code, *title, *pass_written, *pass_oral, *tolerance;
	int double_oral;
};
struct rule_row {
	const char *id, *exam, *kind, *ref, *ref_title;
	const char *from, *until; /* YYYY-MM-DD HH24:MI in the office's zone; until NULL: open-ended */
	int in_force;
};
/* What a new rule may require: kind course / certificate / attestation, a code, a label. */
struct rule_choice {
	const char *kind, *code, *label;
};
struct programme_view {
	struct exam_marks_row *exams;
	size_t nexams;
	struct rule_row *rules; /* by exam, in force first */
	size_t nrules;
	struct rule_choice *choices;
	size_t nchoices;
};
enum db_status programme_view(struct arena *a, struct programme_view *out);

/* The office edits an exam's pass marks and marker settings (audited). */
enum db_status exam_marks_update(struct arena *a, const char *exam, int pass_written, int pass_oral,
    int double_oral, int tolerance, const char *actor_id, struct refusal *ref);
/* Whether what a rule would require exists: a course (kind "course"), an examination whose
 * certificate is held ("certificate") or an attestation kind ("attestation"); *known 0/1. */
enum db_status exam_rule_ref_known(struct arena *a, const char *kind, const char *ref, int *known);
/* A new prerequisite, in force from now on. kind: course | certificate | attestation (else a
 * bad field "requirement"); refused as a conflict when already required or unknown. */
enum db_status exam_rule_add(struct arena *a, const char *exam, const char *kind, const char *ref,
    const char *actor_id, struct refusal *refusal);
/* Ends a rule now; it stays on record, so earlier bookings remain explainable. */
enum db_status exam_rule_retire(struct arena *a, const char *rule_id, const char *actor_id,
    struct refusal *ref);

#endif
