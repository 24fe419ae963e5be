/* The one way to talk to PostgreSQL: one connection per process, parameterised queries,
 * results freed with the request's arena, transactions retried on serialization failure. */
#ifndef ESONR_DB_H
#define ESONR_DB_H
#include <libpq-fe.h>
#include "core/arena.h"
#include "domain/refusal.h"

enum db_status {
	DB_OK = 0,
	DB_UNAVAILABLE, /* no connection: pages answer 503 */
	DB_CONFLICT,    /* unique violation */
	DB_INVALID,     /* check / foreign key / data exception */
	DB_RETRY,       /* serialization failure or deadlock: db_tx retries */
	DB_REFUSED,     /* a transaction body said no: rolled back, nothing stored */
	DB_ERROR,
	DB_STALE,       /* what the page assumed (db_assume) did not hold: serve it again */
};

void db_configure(const char *conninfo);
/* Unexpected SQL errors go to stderr (the portal's log); the CLI prints its own. */
void db_log_errors(int on);
/* Connects, or reconnects a lost connection; 0 when usable. Cheap when connected. */
int db_ensure(void);
void db_close(void);
const char *db_error(void);

/* n parameters follow as const char * (NULL is SQL NULL). The result, when not NULL,
 * is cleared when the arena resets. */
PGresult *db_query(struct arena *a, enum db_status *st, const char *sql, int n, ...);
/* Same, with the parameters in an array. */
PGresult *db_queryv(struct arena *a, enum db_status *st, const char *sql, int n,
    const char *const *params);
/* Runs a statement expected to succeed with no interesting result. */
enum db_status db_exec(struct arena *a, const char *sql, int n, ...);

/* SERIALIZABLE for read-check-write bodies; READ COMMITTED where the body takes
 * explicit row locks (SELECT … FOR UPDATE) and must wait, not fail, under contention. */
enum db_isolation { DB_SERIALIZABLE, DB_READ_COMMITTED };
/* BEGIN → body → COMMIT; body's non-OK status rolls back. DB_RETRY (from body or
 * COMMIT) runs the body again, a few times: bodies must not keep state between runs. */
typedef enum db_status (*db_tx_body)(struct arena *a, void *ctx);
enum db_status db_tx(struct arena *a, enum db_isolation iso, db_tx_body body, void *ctx);
/* COMMIT as the last call of a body's last batch: the transaction's last statements and its
 * commit in one round trip (db_tx then has nothing left to commit). A statement of the batch
 * that fails leaves the transaction uncommitted, and db_tx rolls it back. */
struct db_call;
void db_commit_call(struct db_call *call);

/* The signed-in browser session of the request being served (the hash of its token, 64
 * hex digits), or NULL. Every db_tx passes it to PostgreSQL (esonr.session, local to the
 * transaction), where audit_append() takes the actor from that session instead of its
 * caller's word (sql/041_audit_actor.sql). */
void db_set_websession(const char *token_hash_hex);

/* Runs a whole SQL file (several statements) in the simple protocol: migrations only. */
enum db_status db_script(const char *sql);

/* A statement prepared once per connection, on first use: the server parses and plans it
 * once instead of at every request. Declare each as a static const in the db/ file that
 * owns it: `static struct db_stmt q_x = DB_STMT("x", "SELECT …", 1);` (the name must be
 * unique in the program). */
struct db_stmt {
	const char *name;
	const char *sql;
	int nparams;
	unsigned prepared_on; /* the connection generation it was prepared on; 0: not yet */
	int reads_only;       /* declared with DB_READ */
};
#define DB_STMT(name, sql, n) { (name), (sql), (n), 0, 0 }
/* A statement that only reads (a plain SELECT, no locking clause, no function but built-in
 * ones that only compute; db.c holds each to that when first used, and one that fails is
 * logged and treated as any other): it may travel with an assumption that is not confirmed
 * yet (db_assume), in the same round trip. */
#define DB_READ(name, sql, n) { (name), (sql), (n), 0, 1 }

/* Runs a prepared statement; like db_query otherwise. */
PGresult *db_run(struct arena *a, enum db_status *st, struct db_stmt *q, ...);
/* The same for a DB_READ statement, as a batch of one (db_batch): a page's only statement
 * then carries the check of what the page assumed (db_assume) instead of waiting for it. */
PGresult *db_read(struct arena *a, enum db_status *st, struct db_stmt *q, ...);

/* Several statements in one round trip (libpq pipeline mode): sent together, answered
 * together, one implicit transaction unless inside db_tx; at most 16. results[i] is statement i's
 * (cleared with the arena). DB_OK only when every statement succeeded. */
#define DB_CALL_PARAMS 8
struct db_call {
	struct db_stmt *stmt;
	const char *params[DB_CALL_PARAMS];
};
enum db_status db_batch(struct arena *a, struct db_call *calls, int n, PGresult **results);
/* A page may start on what this process remembers (a signed-in session, say) before the
 * database has confirmed it, when the confirmation travels in the page's own round trip:
 * from db_assume on, the first db_batch outside a transaction whose statements are all
 * DB_READ carries the check as its first statement (answered in the same round trip and
 * implicit transaction), and any other call runs the check alone first, so that nothing reaches the database before the assumption is confirmed. When it
 * does not hold, that call and every later one return DB_STALE until db_assume is called
 * again (NULL: assume nothing); the caller throws the page away and serves it afresh. The
 * check must read only. */
struct db_assumption {
	struct db_stmt *stmt;
	const char *params[DB_CALL_PARAMS]; /* must outlive the check */
	int (*holds)(const PGresult *r, void *ctx); /* the check's answer: 1 it holds, 0 not */
	void *ctx;
};
void db_assume(const struct db_assumption *a);
/* Settles the assumption: runs the check alone when no call has carried it yet. DB_OK when
 * it held (or nothing was assumed), DB_STALE when not, or the failure that left it open. */
enum db_status db_confirm(struct arena *a);

/* For a LISTENing process: waits until a notification of another session arrives (and
 * drains them all; its own are dropped) or timeout_ms passes. 1 notified, 0 timed out, -1
 * the connection is gone (LISTEN again after reconnecting). */
int db_wait_notify(int timeout_ms);

/* A refused action: fills *ref (see domain/refusal.h) and returns DB_REFUSED, so that a
 * body can `return db_refuse(ref, REFUSAL_CONFLICT, NULL, "…");`. */
enum db_status db_refuse(struct refusal *ref, enum refusal_kind kind, const char *field,
    const char *text);
/* The same with a formatted text, allocated in a. */
enum db_status db_refusef(struct arena *a, struct refusal *ref, enum refusal_kind kind,
    const char *field, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

int db_rows(const PGresult *r);
/* NULL for SQL NULL or out of range. */
const char *db_val(const PGresult *r, int row, int col);
long long db_int(const PGresult *r, int row, int col);

#endif
