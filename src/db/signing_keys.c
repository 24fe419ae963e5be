#include "db/signing_keys.h"

#include <string.h>

#include "db/audit.h"

#define KEY_COLUMNS \
	"id, public_key, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI \"UTC\"')," \
	" to_char(retired_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI \"UTC\"')," \
	" to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')," \
	" to_char(retired_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')," \
	" to_char(compromised_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI \"UTC\"'), compromised_reason"

const char *key_state_name(enum key_state s)
{
	return s == KEY_IN_FORCE ? "in force" : s == KEY_RETIRED ? "retired" : "compromised";
}

static void key_from_row(const PGresult *r, int i, struct key_record *k)
{
	k->id = db_val(r, i, 0);
	k->public_hex = db_val(r, i, 1);
	k->from = db_val(r, i, 2);
	k->until = db_val(r, i, 3);
	k->from_iso = db_val(r, i, 4);
	k->until_iso = db_val(r, i, 5);
	k->compromised_on = db_val(r, i, 6);
	k->compromised_reason = db_val(r, i, 7);
	k->state = k->compromised_on != NULL ? KEY_COMPROMISED : k->until != NULL ? KEY_RETIRED : KEY_IN_FORCE;
}

static struct db_stmt q_key_find = DB_STMT("signing_key_find",
    "SELECT " KEY_COLUMNS " FROM signing_keys WHERE id = $1", 1);

enum db_status signing_key_find(struct arena *a, const char *id, struct key_record *out, int *found)
{
	enum db_status st;
	PGresult *r = db_run(a, &st, &q_key_find, id);
	*found = st == DB_OK && db_rows(r) == 1;
	if (*found)
		key_from_row(r, 0, out);
	return st;
}

enum db_status signing_key_list(struct arena *a, struct key_record **out, int *n)
{
	enum db_status st;
	PGresult *r = db_query(a, &st, "SELECT " KEY_COLUMNS " FROM signing_keys ORDER BY created_at DESC, id", 0);
	*n = 0;
	if (st != DB_OK)
		return st;
	*n = db_rows(r);
	*out = arena_alloc(a, sizeof **out * (size_t)(*n > 0 ? *n : 1));
	for (int i = 0; i < *n; i++)
		key_from_row(r, i, &(*out)[i]);
	return DB_OK;
}

enum db_status signing_key_in_force(struct arena *a, const char **id)
{
	enum db_status st;
	PGresult *r = db_query(a, &st, "SELECT id FROM signing_keys WHERE retired_at IS NULL", 0);
	*id = st == DB_OK && db_rows(r) == 1 ? db_val(r, 0, 0) : NULL;
	return st;
}

struct rotate_ctx {
	const char *id, *public_hex, **retired;
};

static enum db_status rotate_body(struct arena *a, void *p)
{
	struct rotate_ctx *c = p;
	enum db_status st;
	PGresult *r = db_query(a, &st,
	    "UPDATE signing_keys SET retired_at = now() WHERE retired_at IS NULL RETURNING id", 0);
	if (st != DB_OK)
		return st;
	*c->retired = db_rows(r) == 1 ? db_val(r, 0, 0) : NULL;
	if ((st = db_exec(a, "INSERT INTO signing_keys (id, public_key) VALUES ($1, $2)", 2, c->id,
	    c->public_hex)) != DB_OK)
		return st;
	PGresult *j = db_query(a, &st, "SELECT jsonb_build_object('in_force', $1::text, 'retired', $2::text)::text",
	    2, c->id, *c->retired);
	if (st != DB_OK)
		return st;
	return audit_record(a, NULL, "key.rotate", "signing_key", c->id, NULL, db_val(j, 0, 0));
}

enum db_status signing_key_rotate(struct arena *a, const char *id, const char *public_hex,
    const char **retired)
{
	struct rotate_ctx c = { id, public_hex, retired };
	return db_tx(a, DB_READ_COMMITTED, rotate_body, &c);
}

struct compromise_ctx {
	const char *id, *reason, *actor_id;
	const char ***numbers;
	int *n;
	struct refusal *ref;
};

static enum db_status compromise_body(struct arena *a, void *p)
{
	struct compromise_ctx *c = p;
	enum db_status st;
	PGresult *r = db_query(a, &st,
	    "SELECT compromised_at IS NOT NULL FROM signing_keys WHERE id = $1 FOR UPDATE", 1, c->id);
	if (st != DB_OK)
		return st;
	if (db_rows(r) != 1)
		return db_refusef(a, c->ref, REFUSAL_NOT_FOUND, NULL, "There is no signing key %s in the "
		    "register.", c->id);
	if (strcmp(db_val(r, 0, 0), "t") == 0)
		return db_refusef(a, c->ref, REFUSAL_CONFLICT, NULL, "Key %s is already marked compromised.",
		    c->id);
	if ((st = db_exec(a, "UPDATE signing_keys SET compromised_at = now(), compromised_reason = $2,"
	    " retired_at = coalesce(retired_at, now()) WHERE id = $1", 2, c->id, c->reason)) != DB_OK)
		return st;
	PGresult *n = db_query(a, &st,
	    "SELECT number FROM certificates WHERE key_id = $1 AND revoked_at IS NULL AND superseded_by IS NULL"
	    " ORDER BY number", 1, c->id);
	if (st != DB_OK)
		return st;
	*c->n = db_rows(n);
	*c->numbers = arena_alloc(a, sizeof **c->numbers * (size_t)(*c->n + 1));
	for (int i = 0; i < *c->n; i++)
		(*c->numbers)[i] = db_val(n, i, 0);
	PGresult *j = db_query(a, &st, "SELECT jsonb_build_object('reason', $1::text, 'to_reissue', $2::int)::text",
	    2, c->reason, arena_printf(a, "%d", *c->n));
	if (st != DB_OK)
		return st;
	return audit_record(a, c->actor_id, "key.compromised", "signing_key", c->id, NULL, db_val(j, 0, 0));
}

enum db_status signing_key_compromise(struct arena *a, const char *id, const char *reason,
    const char *actor_id, const char ***numbers, int *n, struct refusal *ref)
{
	struct compromise_ctx c = { id, reason, actor_id, numbers, n, ref };
	return db_tx(a, DB_READ_COMMITTED, compromise_body, &c);
}
