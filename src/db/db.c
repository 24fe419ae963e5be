#include "db/db.h"

#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DB_MAX_PARAMS 32
#define DB_TX_ATTEMPTS 8
#define DB_MAX_BATCH 16

static PGconn *conn;
/* Counts connections made (and reset), so that statements know to prepare again. */
static unsigned conn_generation;
static char conninfo[1024];
static char last_error[512];
static int log_errors = 1;

void db_log_errors(int on)
{
	log_errors = on;
}

static char tx_websession[65];

void db_set_websession(const char *token_hash_hex)
{
	tx_websession[0] = '\0';
	if (token_hash_hex && strlen(token_hash_hex) == 64 && strspn(token_hash_hex, "0123456789abcdef") == 64)
		memcpy(tx_websession, token_hash_hex, 65);
}

void db_configure(const char *ci)
{
	/* A short connect timeout keeps a down database a quick 503, not a hung worker. The
	 * server looks every 100 ms, while a statement runs or waits for a lock, whether we are
	 * still there, and if not rolls back: a worker that dies while its batch waits for a lock
	 * leaves nothing behind even when the batch ends in COMMIT (db_commit_call). */
	snprintf(conninfo, sizeof conninfo, "%s connect_timeout=3 application_name=esonr"
	    " options='-c client_connection_check_interval=100'", ci);
}

const char *db_error(void)
{
	return last_error;
}

static void remember_error(const char *msg)
{
	snprintf(last_error, sizeof last_error, "%s", msg ? msg : "unknown error");
	size_t n = strlen(last_error);
	while (n > 0 && (last_error[n - 1] == '\n' || last_error[n - 1] == '\r'))
		last_error[--n] = '\0';
}

/* NOTICEs ("relation already exists, skipping") are not for users' eyes. */
static void drop_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

int db_ensure(void)
{
	if (conn != NULL && PQstatus(conn) == CONNECTION_OK)
		return 0;
	if (conn == NULL)
		conn = PQconnectdb(conninfo);
	else
		PQreset(conn);
	if (PQstatus(conn) != CONNECTION_OK) {
		remember_error(PQerrorMessage(conn));
		return -1;
	}
	PQsetNoticeProcessor(conn, drop_notice, NULL);
	conn_generation++;
	return 0;
}

void db_close(void)
{
	if (conn != NULL)
		PQfinish(conn);
	conn = NULL;
}

static void clear_result(void *p)
{
	PQclear(p);
}

static enum db_status classify(const PGresult *r)
{
	if (r == NULL || PQstatus(conn) != CONNECTION_OK)
		return DB_UNAVAILABLE;
	switch (PQresultStatus(r)) {
	case PGRES_COMMAND_OK:
	case PGRES_TUPLES_OK:
		return DB_OK;
	default:
		break;
	}
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	if (state == NULL)
		return DB_ERROR;
	if (strcmp(state, "23505") == 0)
		return DB_CONFLICT;
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
		return DB_RETRY;
	if (strncmp(state, "23", 2) == 0 || strncmp(state, "22", 2) == 0)
		return DB_INVALID;
	if (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0)
		return DB_UNAVAILABLE;
	return DB_ERROR;
}

/* One statement: sql with its parameters, or the prepared q. */
struct statement {
	const char *sql;
	struct db_stmt *q;
	int n;
	const char *const *params;
};

static PGresult *run_once(struct arena *a, enum db_status *st, struct db_stmt *q,
    const char *const *params);

/* The page's assumption (db_assume): pending until a call carries or runs its check;
 * verdict DB_OK while it holds or none is made, else why not (sticky until db_assume). */
static struct db_assumption assumption;
static int assumption_pending;
static enum db_status assumption_verdict = DB_OK;

void db_assume(const struct db_assumption *a)
{
	assumption_pending = a != NULL;
	assumption_verdict = DB_OK;
	if (a != NULL)
		assumption = *a;
}

/* The verdict on the check's answer r (st: how its statement went). */
static enum db_status judge(PGresult *r, enum db_status st)
{
	assumption_pending = 0;
	if (st != DB_OK)
		assumption_verdict = st;
	else
		assumption_verdict = assumption.holds(r, assumption.ctx) ? DB_OK : DB_STALE;
	return assumption_verdict;
}

static PGresult *execute(struct arena *a, enum db_status *st, const struct statement *s);

enum db_status db_confirm(struct arena *a)
{
	if (!assumption_pending)
		return assumption_verdict;
	assumption_pending = 0; /* its own statement must not try to confirm it again */
	enum db_status st;
	const struct statement s = { NULL, assumption.stmt, assumption.stmt->nparams, assumption.params };
	PGresult *r = execute(a, &st, &s);
	return judge(r, st);
}

static PGresult *execute_once(struct arena *a, enum db_status *st, const struct statement *s)
{
	if (s->q != NULL)
		return run_once(a, st, s->q, s->params);
	PGresult *r = PQexecParams(conn, s->sql, s->n, NULL, s->params, NULL, NULL, 0);
	*st = classify(r);
	return r;
}

/* Runs a statement; the result is freed with the arena. A connection that died between
 * requests (database restarted) is retried once, but only outside a transaction, where
 * nothing else depended on it (a reconnection prepares the statement again). */
static PGresult *execute(struct arena *a, enum db_status *st, const struct statement *s)
{
	if ((*st = db_confirm(a)) != DB_OK)
		return NULL;
	if (db_ensure() != 0) {
		*st = DB_UNAVAILABLE;
		return NULL;
	}
	int idle = PQtransactionStatus(conn) == PQTRANS_IDLE;
	PGresult *r = execute_once(a, st, s);
	if (*st == DB_UNAVAILABLE && idle && PQstatus(conn) != CONNECTION_OK) {
		PQclear(r);
		if (db_ensure() != 0) {
			*st = DB_UNAVAILABLE;
			return NULL;
		}
		r = execute_once(a, st, s);
	}
	if (r == NULL) {
		if (*st == DB_OK)
			*st = DB_UNAVAILABLE;
		remember_error(PQerrorMessage(conn));
		return NULL;
	}
	arena_defer(a, clear_result, r);
	if (*st != DB_OK) {
		remember_error(PQresultErrorMessage(r));
		if (*st == DB_ERROR && log_errors)
			fprintf(stderr, "db: %s\n  in: %.200s\n", last_error, s->q != NULL ? s->q->name : s->sql);
	}
	return r;
}

PGresult *db_queryv(struct arena *a, enum db_status *st, const char *sql, int n,
    const char *const *params)
{
	enum db_status dummy;
	const struct statement s = { sql, NULL, n, params };
	return execute(a, st != NULL ? st : &dummy, &s);
}

/* The n text parameters of a variadic call (db_query, db_exec, db_run), into params. */
static void take_params(const char *params[DB_MAX_PARAMS], int n, va_list ap)
{
	if (n > DB_MAX_PARAMS)
		abort();
	for (int i = 0; i < n; i++)
		params[i] = va_arg(ap, const char *);
}

PGresult *db_query(struct arena *a, enum db_status *st, const char *sql, int n, ...)
{
	const char *params[DB_MAX_PARAMS];
	va_list ap;
	va_start(ap, n);
	take_params(params, n, ap);
	va_end(ap);
	return db_queryv(a, st, sql, n, params);
}

enum db_status db_exec(struct arena *a, const char *sql, int n, ...)
{
	const char *params[DB_MAX_PARAMS];
	enum db_status st;
	va_list ap;
	va_start(ap, n);
	take_params(params, n, ap);
	va_end(ap);
	db_queryv(a, &st, sql, n, params);
	return st;
}

static void rollback(struct arena *a)
{
	if (conn != NULL && PQstatus(conn) == CONNECTION_OK &&
	    PQtransactionStatus(conn) != PQTRANS_IDLE)
		db_exec(a, "ROLLBACK", 0);
}

static struct db_stmt q_begin_serializable = DB_STMT("tx_begin_serializable",
    "BEGIN ISOLATION LEVEL SERIALIZABLE", 0);
static struct db_stmt q_begin_committed = DB_STMT("tx_begin_read_committed",
    "BEGIN ISOLATION LEVEL READ COMMITTED", 0);
static struct db_stmt q_actor = DB_STMT("tx_actor", "SELECT set_config('esonr.session', $1, true)", 1);
static struct db_stmt q_commit = DB_STMT("tx_commit", "COMMIT", 0);

void db_commit_call(struct db_call *call)
{
	*call = (struct db_call){ &q_commit, { NULL } };
}

enum db_status db_tx(struct arena *a, enum db_isolation iso, db_tx_body body, void *ctx)
{
	enum db_status st = DB_ERROR;
	for (int attempt = 0; attempt < DB_TX_ATTEMPTS; attempt++) {
		/* BEGIN and the session's actor in one round trip. */
		struct db_call start[2] = { { iso == DB_SERIALIZABLE ? &q_begin_serializable : &q_begin_committed,
		    { NULL } }, { &q_actor, { tx_websession } } };
		PGresult *started[2];
		if ((st = db_batch(a, start, tx_websession[0] ? 2 : 1, started)) != DB_OK) {
			rollback(a);
			return st;
		}
		st = body(a, ctx);
		/* A body may have committed in its last batch (db_commit_call). */
		if (st == DB_OK && PQtransactionStatus(conn) != PQTRANS_IDLE)
			st = db_exec(a, "COMMIT", 0);
		if (st == DB_OK)
			return DB_OK;
		rollback(a);
		if (st != DB_RETRY)
			return st;
		/* Back off a little, randomly, so that colliding workers do not collide again. */
		usleep((useconds_t)(1000 * (attempt + 1) + rand() % 5000));
	}
	return st;
}

enum db_status db_script(const char *sql)
{
	if (db_ensure() != 0)
		return DB_UNAVAILABLE;
	PGresult *r = PQexec(conn, sql);
	enum db_status st = classify(r);
	if (st != DB_OK)
		remember_error(r != NULL ? PQresultErrorMessage(r) : PQerrorMessage(conn));
	PQclear(r);
	return st;
}

/* Counts only other sessions' notifications: a listener's own statements do not wake it. */
static int drain_notifications(void)
{
	int got = 0;
	PGnotify *n;
	while ((n = PQnotifies(conn)) != NULL) {
		got |= n->be_pid != PQbackendPID(conn);
		PQfreemem(n);
	}
	return got;
}

int db_wait_notify(int timeout_ms)
{
	if (conn == NULL || PQstatus(conn) != CONNECTION_OK)
		return -1;
	/* Notifications may have come in with the answer to an earlier query. */
	if (PQconsumeInput(conn) == 0)
		return -1;
	if (drain_notifications())
		return 1;
	struct pollfd p = { .fd = PQsocket(conn), .events = POLLIN };
	if (p.fd < 0)
		return -1;
	int rc = poll(&p, 1, timeout_ms);
	if (rc <= 0)
		return 0; /* timeout, or a signal: the caller looks at its flags */
	if (PQconsumeInput(conn) == 0 || PQstatus(conn) != CONNECTION_OK)
		return -1;
	return drain_notifications();
}

int db_rows(const PGresult *r)
{
	return r == NULL ? 0 : PQntuples(r);
}

const char *db_val(const PGresult *r, int row, int col)
{
	if (r == NULL || row >= PQntuples(r) || col >= PQnfields(r) || PQgetisnull(r, row, col))
		return NULL;
	return PQgetvalue(r, row, col);
}

long long db_int(const PGresult *r, int row, int col)
{
	const char *v = db_val(r, row, col);
	return v == NULL ? 0 : strtoll(v, NULL, 10);
}

/* Queues a prepare for q when this connection has not got it yet (pipeline or not). */
static int stmt_needs_prepare(const struct db_stmt *q)
{
	return q->prepared_on != conn_generation;
}

static enum db_status prepare_now(struct arena *a, struct db_stmt *q)
{
	PGresult *r = PQprepare(conn, q->name, q->sql, q->nparams, NULL);
	enum db_status st = classify(r);
	if (st != DB_OK) {
		remember_error(r != NULL ? PQresultErrorMessage(r) : PQerrorMessage(conn));
		if (log_errors)
			fprintf(stderr, "db: prepare %s: %s\n", q->name, last_error);
		PQclear(r);
		return st;
	}
	PQclear(r);
	(void)a;
	q->prepared_on = conn_generation;
	return DB_OK;
}

static PGresult *run_once(struct arena *a, enum db_status *st, struct db_stmt *q,
    const char *const *params)
{
	if (stmt_needs_prepare(q) && (*st = prepare_now(a, q)) != DB_OK)
		return NULL;
	PGresult *r = PQexecPrepared(conn, q->name, q->nparams, params, NULL, NULL, 0);
	*st = classify(r);
	return r;
}

PGresult *db_run(struct arena *a, enum db_status *st, struct db_stmt *q, ...)
{
	const char *params[DB_MAX_PARAMS];
	enum db_status dummy;
	va_list ap;
	va_start(ap, q);
	take_params(params, q->nparams, ap);
	va_end(ap);
	const struct statement s = { NULL, q, q->nparams, params };
	return execute(a, st != NULL ? st : &dummy, &s);
}

PGresult *db_read(struct arena *a, enum db_status *st, struct db_stmt *q, ...)
{
	struct db_call call = { q, { NULL } };
	PGresult *r;
	enum db_status dummy;
	va_list ap;
	if (q->nparams > DB_CALL_PARAMS)
		abort();
	va_start(ap, q);
	for (int i = 0; i < q->nparams; i++)
		call.params[i] = va_arg(ap, const char *);
	va_end(ap);
	*(st != NULL ? st : &dummy) = db_batch(a, &call, 1, &r);
	return r;
}

/* Reads what one queued command answered: its last result (kept), up to the NULL that
 * ends it. */
static PGresult *pipeline_result(void)
{
	PGresult *keep = NULL, *r;
	while ((r = PQgetResult(conn)) != NULL) {
		PQclear(keep);
		keep = r;
	}
	return keep;
}

static enum db_status batch_once(struct arena *a, struct db_call *calls, int n, PGresult **results)
{
	enum db_status st = DB_OK;
	int prepared[DB_MAX_BATCH];
	if (n > DB_MAX_BATCH)
		abort();
	for (int i = 0; i < n; i++)
		if (calls[i].stmt->nparams > DB_CALL_PARAMS)
			abort();
	if (PQenterPipelineMode(conn) != 1) {
		remember_error(PQerrorMessage(conn));
		return PQstatus(conn) == CONNECTION_OK ? DB_ERROR : DB_UNAVAILABLE;
	}
	int sent = 1;
	for (int i = 0; i < n && sent; i++) {
		struct db_stmt *q = calls[i].stmt;
		prepared[i] = 0;
		if (stmt_needs_prepare(q)) {
			/* Twice in one batch: the first prepare serves both. */
			int earlier = 0;
			for (int k = 0; k < i; k++)
				earlier |= calls[k].stmt == q && prepared[k];
			if (!earlier) {
				sent = PQsendPrepare(conn, q->name, q->sql, q->nparams, NULL) == 1;
				prepared[i] = 1;
			}
		}
		if (sent)
			sent = PQsendQueryPrepared(conn, q->name, q->nparams, calls[i].params, NULL, NULL, 0) == 1;
	}
	if (!sent || PQpipelineSync(conn) != 1) {
		remember_error(PQerrorMessage(conn));
		PQexitPipelineMode(conn);
		return PQstatus(conn) == CONNECTION_OK ? DB_ERROR : DB_UNAVAILABLE;
	}
	for (int i = 0; i < n; i++) {
		results[i] = NULL;
		if (prepared[i]) {
			PGresult *p = pipeline_result();
			enum db_status ps = classify(p);
			if (ps == DB_OK)
				calls[i].stmt->prepared_on = conn_generation;
			else if (st == DB_OK) {
				st = ps;
				remember_error(p != NULL ? PQresultErrorMessage(p) : PQerrorMessage(conn));
			}
			PQclear(p);
		}
		PGresult *r = pipeline_result();
		if (r != NULL)
			arena_defer(a, clear_result, r);
		results[i] = r;
		enum db_status rs = PQresultStatus(r) == PGRES_PIPELINE_ABORTED ? DB_ERROR : classify(r);
		if (rs != DB_OK && st == DB_OK) {
			st = rs;
			remember_error(r != NULL ? PQresultErrorMessage(r) : PQerrorMessage(conn));
			if (st == DB_ERROR && log_errors)
				fprintf(stderr, "db: %s\n  in: %s\n", last_error, calls[i].stmt->name);
		}
	}
	/* The sync's own result, then the connection leaves pipeline mode. */
	PGresult *sync = PQgetResult(conn);
	if (sync == NULL || PQresultStatus(sync) != PGRES_PIPELINE_SYNC) {
		if (st == DB_OK)
			st = PQstatus(conn) == CONNECTION_OK ? DB_ERROR : DB_UNAVAILABLE;
	}
	PQclear(sync);
	if (PQexitPipelineMode(conn) != 1 && st == DB_OK) {
		remember_error(PQerrorMessage(conn));
		st = DB_ERROR;
	}
	if (PQstatus(conn) != CONNECTION_OK)
		st = DB_UNAVAILABLE;
	return st;
}

/* A DB_READ statement, held to it once: a SELECT with no upper-case word of a statement that
 * writes or locks (SQL keywords are upper-case in this code) and no call of a function but
 * the built-in ones that only compute (in this code a lower-case name followed by "(" is a
 * call). One that fails is logged and waits for the assumption's check like any other. */
static int sql_reads_only(const char *sql)
{
	static const char *const writes[] = { "INSERT", "UPDATE", "DELETE", "MERGE", "INTO",
	    "FOR SHARE", "FOR KEY SHARE", "FOR NO KEY", "COPY", "CALL", "LOCK", NULL };
	static const char *const pure[] = { "now", "extract", "to_char", "coalesce", "count", "sum",
	    "min", "max", "make_interval", "date_trunc", "trim_scale", "greatest", "least", "encode",
	    "length", "lower", "upper", "round", "abs", "exists", "nullif", NULL };
	if (strncmp(sql, "SELECT ", 7) != 0)
		return 0;
	for (int i = 0; writes[i] != NULL; i++)
		if (strstr(sql, writes[i]) != NULL)
			return 0;
	for (const char *p = sql; *p; p++) {
		if (!(*p >= 'a' && *p <= 'z') && *p != '_')
			continue;
		if (p > sql && (p[-1] == '_' || p[-1] == '.' || (p[-1] >= 'a' && p[-1] <= 'z') ||
		    (p[-1] >= 'A' && p[-1] <= 'Z') || (p[-1] >= '0' && p[-1] <= '9')))
			continue; /* inside a word */
		size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz_0123456789");
		if (p[n] == '(') {
			int known = 0;
			for (int i = 0; pure[i] != NULL; i++)
				known |= strlen(pure[i]) == n && strncmp(p, pure[i], n) == 0;
			if (!known)
				return 0;
		}
		p += n - 1;
	}
	return 1;
}

static int reads_only(struct db_stmt *q)
{
	if (q->reads_only == 1) {
		q->reads_only = sql_reads_only(q->sql) ? 2 : 0;
		if (q->reads_only == 0)
			fprintf(stderr, "db: %s is declared DB_READ but may write: it waits for the check\n", q->name);
	}
	return q->reads_only == 2;
}

static enum db_status batch_retried(struct arena *a, struct db_call *calls, int n, PGresult **results)
{
	int idle = PQtransactionStatus(conn) == PQTRANS_IDLE;
	enum db_status st = batch_once(a, calls, n, results);
	if (st == DB_UNAVAILABLE && idle && PQstatus(conn) != CONNECTION_OK) {
		if (db_ensure() != 0)
			return DB_UNAVAILABLE;
		st = batch_once(a, calls, n, results);
	}
	return st;
}

enum db_status db_batch(struct arena *a, struct db_call *calls, int n, PGresult **results)
{
	for (int i = 0; i < n; i++)
		results[i] = NULL;
	if (assumption_verdict != DB_OK)
		return assumption_verdict;
	if (db_ensure() != 0) {
		if (assumption_pending) /* settled: the page answers 503 without trying again */
			judge(NULL, DB_UNAVAILABLE);
		return DB_UNAVAILABLE;
	}
	if (!assumption_pending)
		return batch_retried(a, calls, n, results);
	/* Inside a transaction, with a statement that may write, or no room for it: the check
	 * goes alone, first. */
	int reads = 1;
	for (int i = 0; i < n; i++)
		reads &= reads_only(calls[i].stmt);
	if (!reads || PQtransactionStatus(conn) != PQTRANS_IDLE || n + 1 > DB_MAX_BATCH) {
		enum db_status st = db_confirm(a);
		return st != DB_OK ? st : batch_retried(a, calls, n, results);
	}
	struct db_call with[DB_MAX_BATCH];
	PGresult *res[DB_MAX_BATCH] = { NULL };
	with[0].stmt = assumption.stmt;
	memcpy(with[0].params, assumption.params, sizeof with[0].params);
	memcpy(with + 1, calls, (size_t)n * sizeof *calls);
	enum db_status st = batch_retried(a, with, n + 1, res);
	enum db_status checked = res[0] != NULL && classify(res[0]) == DB_OK ? DB_OK : st;
	if (judge(res[0], checked) != DB_OK)
		return assumption_verdict;
	memcpy(results, res + 1, (size_t)n * sizeof *results);
	return st;
}

enum db_status db_refuse(struct refusal *ref, enum refusal_kind kind, const char *field,
    const char *text)
{
	refusal_set(ref, kind, field, text);
	return DB_REFUSED;
}

enum db_status db_refusef(struct arena *a, struct refusal *ref, enum refusal_kind kind,
    const char *field, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *text = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return db_refuse(ref, kind, field, text);
}
