/* esonrctl demo: the demo data of `make run` (never loaded by `make test` or in production).
 * Idempotent: a second `make start` adds nothing. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "db/booking.h"
#include "db/db.h"
#include "db/demo.h"
#include "db/users.h"
#include "db/records.h"
#include "db/results.h"
#include "db/exam_sessions.h"
#include "domain/user.h"

/* The demo accounts of `make run`: one per role, and candidates at different stages. */
static const struct demo_user {
	const char *email, *name, *role;
} demo_users[] = {
	{ "office@esonr.example", "ESNR Office", "admin" },
	{ "examiner@esonr.example", "Prof. Giulia Ferrari", "examiner" },
	{ "zoe@esonr.example", "Zoë Łukasiewicz-Ørsted", "candidate" },
	{ "nikos@esonr.example", "Νίκος Παπαδόπουλος", "candidate" },
	{ "anna@esonr.example", "Анна Каренина", "candidate" },
};

/* Records that put the candidates at different stages of the programme. */
static const struct demo_record {
	const char *email, *course, *kind, *date;
} demo_records[] = {
	/* Zoë: Level 1 done; ECNR-1 done, ECNR-2 MCQ failed twice, ECNR-3 resit pending. */
	{ "zoe@esonr.example", "GALEN", "completion", "2025-03-14" },
	{ "zoe@esonr.example", "ECNR-1", "completion", "2025-04-25" },
	{ "zoe@esonr.example", "ECNR-2", "attendance", "2025-10-17" },
	{ "zoe@esonr.example", "ECNR-2", "mcq-fail", "2025-10-17" },
	{ "zoe@esonr.example", "ECNR-2", "mcq-fail", "2025-12-05" },
	{ "zoe@esonr.example", "ECNR-3", "attendance", "2026-04-24" },
	{ "zoe@esonr.example", "ECNR-3", "mcq-fail", "2026-04-24" },
	/* Νίκος: every ECNR module done, ready for the European Diploma (L2). */
	{ "nikos@esonr.example", "GALEN", "completion", "2024-03-15" },
	{ "nikos@esonr.example", "ECNR-1", "completion", "2024-04-26" },
	{ "nikos@esonr.example", "ECNR-2", "completion", "2024-10-18" },
	{ "nikos@esonr.example", "ECNR-3", "completion", "2025-04-25" },
	{ "nikos@esonr.example", "ECNR-4", "completion", "2025-10-24" },
	{ "nikos@esonr.example", "HQ-DIAG", "completion", "2026-06-12" },
	/* Анна: just registered; the Galen course is her next step. */
};

static enum db_status demo_records_body(struct arena *a, void *unused)
{
	(void)unused;
	enum db_status st = DB_OK;
	for (size_t i = 0; st == DB_OK && i < sizeof demo_records / sizeof demo_records[0]; i++) {
		const struct demo_record *d = &demo_records[i];
		const char *user_id;
		struct record_result res = { 0 };
		if ((st = candidate_find(a, d->email, &user_id, &res)) != DB_OK)
			break;
		if (strcmp(d->kind, "completion") == 0)
			st = completion_record(a, user_id, d->course, d->date, NULL, &res);
		else if (strcmp(d->kind, "attendance") == 0)
			st = attendance_record(a, user_id, d->course, d->date, NULL, NULL, &res);
		else
			st = mcq_record(a, user_id, d->course, d->date, 0, NULL, &res);
		/* Already recorded (a second `make start`) is fine: records are idempotent. */
		if (st == DB_REFUSED)
			st = DB_OK;
	}
	return st;
}

static int demo_records_add(struct cli *c)
{
	if (db_tx(c->arena, DB_READ_COMMITTED, demo_records_body, NULL) != DB_OK)
		return cli_fail("demo records: %s", db_error());
	return CLI_OK;
}

/* History, once: Νίκος passed L1 in June 2024; his signed certificate was issued then. */
static int demo_history_add(struct cli *c)
{
	const char *session, *booking, *examiner;
	enum db_status st = demo_past_session(c->arena, &session, &booking, &examiner);
	if (st != DB_OK)
		return cli_fail("demo history: %s", db_error());
	struct result_row row = { booking, 0, 82, 77 };
	struct refusal ref = { 0 };
	int issued = 0;
	if ((st = exam_session_assign_examiner(c->arena, session, "examiner@esonr.example", &ref)) == DB_OK &&
	    (st = results_save(c->arena, session, examiner, &row, 1, &ref)) == DB_OK)
		st = exam_session_publish(c->arena, session, NULL, &issued, &ref);
	return cli_status("demo history", st, &ref);
}

/* Open sessions to book, once: L1 and L2 next spring, L3-DIAG in the autumn. */
static int demo_sessions_add(struct cli *c)
{
	enum db_status st;
	int any;
	if ((st = demo_has_sessions(c->arena, &any)) != DB_OK)
		return cli_fail("%s", db_error());
	if (any)
		return CLI_OK;
	int rc = demo_history_add(c);
	if (rc != CLI_OK)
		return rc;
	const char *in3, *in60, *in75, *in200, *zoe;
	if ((st = demo_date_in(c->arena, 3, &in3)) != DB_OK ||
	    (st = demo_date_in(c->arena, 60, &in60)) != DB_OK ||
	    (st = demo_date_in(c->arena, 75, &in75)) != DB_OK ||
	    (st = demo_date_in(c->arena, 200, &in200)) != DB_OK ||
	    (st = user_find(c->arena, "zoe@esonr.example", &zoe)) != DB_OK)
		return cli_fail("%s", db_error());
	/* Zoë sits L1 in three days: booking has closed, so the examiner can enter results. */
	{
		struct exam_session_input soon = { .exam = "L1", .date = in3,
			.location = "Vienna, ESNR office", .capacity = "12" };
		long long id;
		struct refusal ref = { 0 };
		struct booking_outcome out;
		char sid[24];
		if ((rc = cli_status("demo session", exam_session_create(c->arena, &soon, &id, &ref), &ref)) != CLI_OK)
			return rc;
		snprintf(sid, sizeof sid, "%lld", id);
		if ((st = booking_create(c->arena, zoe, sid, &out)) != DB_OK)
			return cli_status("demo booking", st, &out.refusal);
		if ((st = exam_session_assign_examiner(c->arena, sid, "examiner@esonr.example", &ref)) == DB_OK)
			st = exam_session_close(c->arena, sid, &ref);
		if ((rc = cli_status("demo booking", st, &ref)) != CLI_OK)
			return rc;
	}
	struct exam_session_input in[] = {
		{ .exam = "L1", .date = in60, .location = "Vienna, ESNR office", .capacity = "20" },
		{ .exam = "L2", .date = in75, .location = "Lisbon, Centro de Congressos", .capacity = "3" },
		{ .exam = "L3-DIAG", .date = in200, .location = "Zürich, University Hospital",
		  .capacity = "8", .time_zone = "Europe/Zurich" },
	};
	for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
		long long id;
		struct refusal ref = { 0 };
		if ((rc = cli_status("demo session", exam_session_create(c->arena, &in[i], &id, &ref), &ref)) != CLI_OK)
			return rc;
		char sid[24];
		snprintf(sid, sizeof sid, "%lld", id);
		if ((rc = cli_status("demo examiner", exam_session_assign_examiner(c->arena, sid,
		    "examiner@esonr.example", &ref), &ref)) != CLI_OK)
			return rc;
	}
	return CLI_OK;
}
#define DEMO_PASSWORD "esonr-demo"

int cmd_demo(struct cli *c)
{
	int rc = cli_connect(c);
	if (rc != CLI_OK)
		return rc;
	printf("Demo logins (password for all: %s):\n", DEMO_PASSWORD);
	for (size_t i = 0; i < sizeof demo_users / sizeof demo_users[0]; i++) {
		const struct demo_user *u = &demo_users[i];
		const char *existing;
		if (user_find(c->arena, u->email, &existing) != DB_OK)
			return cli_fail("%s", db_error());
		long long id;
		enum role role;
		if (role_parse(u->role, &role) != 0)
			return cli_fail("demo: bad role %s", u->role);
		if (existing == NULL &&
		    (rc = cli_user_create(c, u->email, u->name, role, DEMO_PASSWORD, &id)) != CLI_OK)
			return rc;
		printf("  %-9s %s  (%s)\n", u->role, u->email, u->name);
	}
	if ((rc = demo_records_add(c)) != CLI_OK || (rc = demo_sessions_add(c)) != CLI_OK)
		return rc;
	puts("Stages: Zoë sits L1 in three days (booking closed: the examiner can enter her result)\n"
	    "and is midway through the ECNR modules, one MCQ failed twice; Νίκος holds a signed\n"
	    "Level 1 certificate and may book the L2 diploma; Анна has just registered. Sessions for\n"
	    "L1, L2 and L3-DIAG are open for booking.");
	return CLI_OK;
}
