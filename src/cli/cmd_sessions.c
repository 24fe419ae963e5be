/* esonrctl session add | examiner | close | roster, and completion add. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "cli/cli.h"
#include "core/datetime.h"
#include "db/db.h"
#include "db/programme.h"
#include "db/records.h"
#include "db/exam_sessions.h"
#include "domain/valid.h"

int cmd_session_add(struct cli *c)
{
	struct exam_session_input in = {
		.exam = c->words[0],
		.date = cli_opt(c, "date"),
		.time_zone = cli_opt(c, "tz"),
		.location = cli_opt(c, "location"),
		.capacity = cli_opt(c, "capacity"),
		.opens = cli_opt(c, "opens"),
		.closes = cli_opt(c, "closes"),
		.cancel_until = cli_opt(c, "cancel-until"),
	};
	/* The same validators and limits as the office's web form. */
	static const struct valid_rule date = { VALID_DATE, 0, 0, NULL };
	static const struct valid_rule capacity = { VALID_INT, 1, EXAM_SESSION_CAPACITY_MAX, NULL };
	static const struct valid_rule location = { VALID_TEXT, 1, EXAM_SESSION_LOCATION_MAX, NULL };
	static const struct valid_rule ts = { VALID_TIMESTAMP, 0, 0, NULL };
	const char *why;
	if (in.date == NULL || in.location == NULL || in.capacity == NULL)
		return cli_usage("session add: --date, --location and --capacity are required");
	if ((in.date = valid_check(c->arena, &date, in.date, &why)) == NULL)
		return cli_usage("session add: --date must be a date like 2027-05-03");
	if ((in.capacity = valid_check(c->arena, &capacity, in.capacity, &why)) == NULL)
		return cli_usage("session add: --capacity must be a whole number from 1 to %d",
		    EXAM_SESSION_CAPACITY_MAX);
	if ((in.location = valid_check(c->arena, &location, in.location, &why)) == NULL)
		return cli_usage("session add: --location must have 1 to %d characters, on one line",
		    EXAM_SESSION_LOCATION_MAX);
	const char **window[] = { &in.opens, &in.closes, &in.cancel_until };
	const char *names[] = { "--opens", "--closes", "--cancel-until" };
	for (int i = 0; i < 3; i++)
		if (*window[i] != NULL && (*window[i] = valid_check(c->arena, &ts, *window[i], &why)) == NULL)
			return cli_usage("session add: %s must be ISO 8601 with an offset, like "
			    "2027-05-03T09:00+02:00", names[i]);
	int rc = cli_connect(c);
	if (rc != CLI_OK)
		return rc;
	long long id;
	struct refusal ref = { 0 };
	if ((rc = cli_status("session add", exam_session_create(c->arena, &in, &id, &ref), &ref)) == CLI_OK)
		printf("%lld\n", id);
	return rc;
}

int cmd_session_examiner(struct cli *c)
{
	if (!text_is_id(c->words[0]))
		return cli_usage("session examiner: SESSION must be a session id");
	int rc = cli_connect(c);
	struct refusal ref = { 0 };
	if (rc == CLI_OK)
		rc = cli_status("session examiner", exam_session_assign_examiner(c->arena, c->words[0],
		    c->words[1], &ref), &ref);
	return rc;
}

int cmd_session_close(struct cli *c)
{
	if (!text_is_id(c->words[0]))
		return cli_usage("session close: SESSION must be a session id");
	int rc = cli_connect(c);
	struct refusal ref = { 0 };
	if (rc == CLI_OK)
		rc = cli_status("session close", exam_session_close(c->arena, c->words[0], &ref), &ref);
	return rc;
}

int cmd_session_roster(struct cli *c)
{
	if (!text_is_id(c->words[0]))
		return cli_usage("session roster: SESSION must be a session id");
	int rc = cli_connect(c);
	if (rc != CLI_OK)
		return rc;
	struct booking_line *lines;
	size_t n;
	struct refusal ref = { 0 };
	if ((rc = cli_status("session roster", exam_session_bookings(c->arena, c->words[0], &lines, &n,
	    &ref), &ref)) != CLI_OK)
		return rc;
	for (size_t i = 0; i < n; i++)
		printf("%s\t%s\t%s\t%s\n", lines[i].booking_id, lines[i].email, lines[i].status,
		    lines[i].outcome);
	return CLI_OK;
}

struct completion_tx {
	const char *course, *date, *user_id;
	struct record_result res;
};

/* A completion writes an attendance and, for a module, its MCQ: both or neither. */
static enum db_status completion_body(struct arena *a, void *p)
{
	struct completion_tx *t = p;
	return completion_record(a, t->user_id, t->course, t->date, NULL, &t->res);
}

int cmd_completion_add(struct cli *c)
{
	const char *date = cli_opt(c, "date");
	if (date != NULL && !date_valid(date))
		return cli_usage("completion add: --date must be a date like 2027-05-03");
	int rc = cli_connect(c);
	if (rc != CLI_OK)
		return rc;
	enum db_status st;
	int64_t now;
	if (date == NULL && (st = db_now(c->arena, &now, &date)) != DB_OK)
		return cli_fail("%s", db_error());
	struct completion_tx t = { c->words[1], date, NULL, { 0 } };
	if ((st = candidate_find(c->arena, c->words[0], &t.user_id, &t.res)) == DB_OK)
		st = db_tx(c->arena, DB_READ_COMMITTED, completion_body, &t);
	if ((rc = cli_status("completion add", st, &t.res.refusal)) == CLI_OK)
		printf("%s\n", t.res.message);
	return rc;
}
