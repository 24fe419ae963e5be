/* esonrctl user add, demo. */
#include <stdio.h>
#include <string.h>

#include "auth/password.h"
#include "cli/cli.h"
#include "db/certificate_issue.h"
#include "db/db.h"
#include "db/booking.h"
#include "db/records.h"
#include "db/results.h"
#include "db/users.h"
#include "db/sessions.h"
#include "domain/account.h"
#include "domain/user.h"

/* Creates the user; *id receives the new id. CLI_OK, CLI_FAIL (exists, database). */
static int user_create(struct cli *c, const char *email, const char *name, const char *role,
    const char *password, long long *id)
{
	char hash[crypto_pwhash_STRBYTES];
	enum db_status st;
	if (password_init() != 0 || password_hash(hash, password) != 0)
		return cli_fail("could not hash the password");
	PGresult *r = db_query(c->arena, &st,
	    "INSERT INTO users (email, full_name, role, password_hash) VALUES ($1, $2, $3, $4)"
	    " RETURNING id", 4, email, name, role, hash);
	if (st == DB_CONFLICT)
		return cli_fail("a user with e-mail %s already exists", email);
	if (st != DB_OK)
		return cli_fail("%s", db_error());
	*id = db_int(r, 0, 0);
	return CLI_OK;
}

int cmd_user_add(struct cli *c)
{
	const char *why;
	enum role role;
	char *email = email_normalise(c->arena, c->words[0], &why);
	if (email == NULL)
		return cli_usage("user add: %s", why);
	const char *name_in = cli_opt(c, "name"), *role_in = cli_opt(c, "role");
	if (name_in == NULL || role_in == NULL)
		return cli_usage("user add: --name and --role are required");
	char *name = name_normalise(c->arena, name_in, &why);
	if (name == NULL || (why = holder_name_problem(c->arena, name)) != NULL)
		return cli_usage("user add: %s", why);
	if (role_parse(role_in, &role) != 0)
		return cli_usage("user add: --role must be candidate, examiner or admin");
	char *password = cli_read_password(c->arena);
	if (password == NULL)
		return cli_usage("user add: give the password on standard input");
	if ((why = password_problem(password)) != NULL)
		return cli_usage("user add: %s", why);

	int rc = cli_connect(c);
	long long id;
	if (rc == CLI_OK && (rc = user_create(c, email, name, role_in, password, &id)) == CLI_OK)
		printf("%lld\n", id);
	return rc;
}

int cmd_user_rename(struct cli *c)
{
	const char *why;
	char *email = email_normalise(c->arena, c->words[0], &why);
	if (email == NULL)
		return cli_usage("user rename: %s", why);
	const char *name_in = cli_opt(c, "name");
	if (name_in == NULL)
		return cli_usage("user rename: --name NAME is required");
	char *name = name_normalise(c->arena, name_in, &why);
	if (name == NULL || (why = holder_name_problem(c->arena, name)) != NULL)
		return cli_usage("user rename: %s", why);
	int rc = cli_connect(c);
	if (rc != CLI_OK)
		return rc;
	const char *id;
	enum db_status st = user_find(c->arena, email, &id);
	if (st == DB_OK && id == NULL)
		return cli_fail("no user with e-mail %s", email);
	if (st == DB_OK)
		st = user_rename(c->arena, id, name, NULL, &why);
	if (st != DB_OK)
		return cli_fail("%s", st == DB_REFUSED ? why : db_error());
	printf("%s is now registered as %s; reissue their certificates to carry the new name\n", email, name);
	return CLI_OK;
}

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

static int demo_records_add(struct cli *c)
{
	enum db_status st = db_exec(c->arena, "BEGIN", 0);
	for (size_t i = 0; st == DB_OK && i < sizeof demo_records / sizeof demo_records[0]; i++) {
		const struct demo_record *d = &demo_records[i];
		const char *user_id;
		struct record_result res = { 0, NULL };
		if ((st = candidate_find(c->arena, d->email, &user_id, &res)) != DB_OK)
			break;
		if (strcmp(d->kind, "completion") == 0)
			st = completion_record(c->arena, user_id, d->course, d->date, NULL, &res);
		else if (strcmp(d->kind, "attendance") == 0)
			st = attendance_record(c->arena, user_id, d->course, d->date, NULL, NULL, &res);
		else
			st = mcq_record(c->arena, user_id, d->course, d->date, 0, NULL, &res);
		/* Already recorded (a second `make start`) is fine: records are idempotent. */
		if (st == DB_REFUSED)
			st = DB_OK;
	}
	if (st == DB_OK)
		st = db_exec(c->arena, "COMMIT", 0);
	if (st != DB_OK) {
		db_exec(c->arena, "ROLLBACK", 0);
		return cli_fail("demo records: %s", db_error());
	}
	return CLI_OK;
}

/* History, once: Νίκος passed L1 in June 2024; his signed certificate was issued then. */
static int demo_history_add(struct cli *c)
{
	enum db_status st;
	PGresult *r = db_query(c->arena, &st,
	    "WITH s AS (INSERT INTO exam_sessions (exam_code, starts_at, location, capacity, opens_at,"
	    "     closes_at, cancel_until, closed_at)"
	    "   VALUES ('L1', '2024-06-07 09:00 Europe/Vienna', 'Vienna, ESNR office', 20,"
	    "     '2024-03-01 00:00 Europe/Vienna', '2024-06-07 00:00 Europe/Vienna',"
	    "     '2024-06-07 00:00 Europe/Vienna', '2024-06-07 00:00 Europe/Vienna') RETURNING id)"
	    " INSERT INTO bookings (session_id, exam_code, user_id, status, ics_uid)"
	    " SELECT s.id, 'L1', u.id, 'booked', 'booking-demo-' || s.id || '@esonr-portal'"
	    " FROM s, users u WHERE u.email = 'nikos@esonr.example'"
	    " RETURNING session_id, id, (SELECT id FROM users WHERE email = 'examiner@esonr.example')", 0);
	if (st != DB_OK)
		return cli_fail("demo history: %s", db_error());
	const char *session = db_val(r, 0, 0), *examiner = db_val(r, 0, 2);
	const char *why = NULL;
	struct result_row row = { db_val(r, 0, 1), 0, 82, 77 };
	struct result_refusal ref = { 0, NULL };
	int issued = 0;
	if ((st = session_assign_examiner(c->arena, session, "examiner@esonr.example", &why)) != DB_OK ||
	    (st = results_save(c->arena, session, examiner, &row, 1, &ref)) != DB_OK ||
	    (st = session_publish(c->arena, session, NULL, &issued, &ref)) != DB_OK)
		return cli_fail("demo history: %s", st == DB_REFUSED ? (why ? why : ref.why) : db_error());
	return CLI_OK;
}

/* Open sessions to book, once: L1 and L2 next spring, L3-DIAG in the autumn. */
static int demo_sessions_add(struct cli *c)
{
	enum db_status st;
	PGresult *r = db_query(c->arena, &st, "SELECT count(*) FROM exam_sessions", 0);
	if (st != DB_OK)
		return cli_fail("%s", db_error());
	if (db_int(r, 0, 0) > 0)
		return CLI_OK;
	int rc = demo_history_add(c);
	if (rc != CLI_OK)
		return rc;
	r = db_query(c->arena, &st,
	    "SELECT to_char(now() + interval '60 days', 'YYYY-MM-DD'),"
	    "   to_char(now() + interval '75 days', 'YYYY-MM-DD'),"
	    "   to_char(now() + interval '200 days', 'YYYY-MM-DD')", 0);
	if (st != DB_OK)
		return cli_fail("%s", db_error());
	/* Zoë sits L1 in three days: booking has closed, so the examiner can enter results. */
	{
		PGresult *d = db_query(c->arena, &st, "SELECT to_char(now() + interval '3 days', 'YYYY-MM-DD'),"
		    " (SELECT id FROM users WHERE email = 'zoe@esonr.example')", 0);
		if (st != DB_OK)
			return cli_fail("%s", db_error());
		struct session_input soon = { .exam = "L1", .date = db_val(d, 0, 0),
			.location = "Vienna, ESNR office", .capacity = "12" };
		long long id;
		const char *why = NULL;
		struct booking_outcome out;
		char sid[24];
		if ((st = session_create(c->arena, &soon, &id, &why)) != DB_OK)
			return cli_fail("demo session: %s", st == DB_REFUSED ? why : db_error());
		snprintf(sid, sizeof sid, "%lld", id);
		if ((st = booking_create(c->arena, db_val(d, 0, 1), sid, &out)) != DB_OK ||
		    (st = session_assign_examiner(c->arena, sid, "examiner@esonr.example", &why)) != DB_OK ||
		    (st = session_close(c->arena, sid, &why)) != DB_OK)
			return cli_fail("demo booking: %s", st == DB_REFUSED ? (why ? why : out.why) : db_error());
	}
	struct session_input in[] = {
		{ .exam = "L1", .date = db_val(r, 0, 0), .location = "Vienna, ESNR office", .capacity = "20" },
		{ .exam = "L2", .date = db_val(r, 0, 1), .location = "Lisbon, Centro de Congressos", .capacity = "3" },
		{ .exam = "L3-DIAG", .date = db_val(r, 0, 2), .location = "Zürich, University Hospital",
		  .capacity = "8", .time_zone = "Europe/Zurich" },
	};
	for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
		long long id;
		const char *why = NULL;
		if ((st = session_create(c->arena, &in[i], &id, &why)) != DB_OK)
			return cli_fail("demo session: %s", st == DB_REFUSED ? why : db_error());
		char sid[24];
		snprintf(sid, sizeof sid, "%lld", id);
		if ((st = session_assign_examiner(c->arena, sid, "examiner@esonr.example", &why)) != DB_OK)
			return cli_fail("demo examiner: %s", st == DB_REFUSED ? why : db_error());
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
		enum db_status st;
		PGresult *r = db_query(c->arena, &st, "SELECT id FROM users WHERE email = $1", 1, u->email);
		if (st != DB_OK)
			return cli_fail("%s", db_error());
		long long id;
		if (db_rows(r) == 0 &&
		    (rc = user_create(c, u->email, u->name, u->role, DEMO_PASSWORD, &id)) != CLI_OK)
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
