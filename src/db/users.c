#include "db/users.h"

#include "db/audit.h"
#include "db/mail_links.h"

enum db_status user_create(struct arena *a, const char *email, const char *name, enum role role,
    const char *password_hash, long long *id, struct refusal *ref)
{
	enum db_status st;
	PGresult *r = db_query(a, &st,
	    "INSERT INTO users (email, full_name, role, password_hash) VALUES ($1, $2, $3, $4)"
	    " RETURNING id", 4, email, name, role_name(role), password_hash);
	if (st == DB_CONFLICT)
		return db_refusef(a, ref, REFUSAL_CONFLICT, "email", "an account with the e-mail "
		    "address %s already exists", email);
	if (st != DB_OK)
		return st;
	*id = db_int(r, 0, 0);
	return DB_OK;
}

struct rename_ctx {
	const char *user_id, *name, *actor_id;
	struct refusal *ref;
};

static enum db_status rename_body(struct arena *a, void *p)
{
	struct rename_ctx *c = p;
	enum db_status st;
	PGresult *r = db_query(a, &st,
	    "WITH old AS (SELECT full_name FROM users WHERE id = $1 FOR UPDATE)"
	    " UPDATE users u SET full_name = $2 FROM old WHERE u.id = $1 AND old.full_name <> $2"
	    " RETURNING jsonb_build_object('full_name', old.full_name)::text,"
	    "   jsonb_build_object('full_name', u.full_name)::text", 2, c->user_id, c->name);
	if (st != DB_OK)
		return st;
	if (db_rows(r) != 1) {
		PGresult *e = db_query(a, &st, "SELECT 1 FROM users WHERE id = $1", 1, c->user_id);
		if (st != DB_OK)
			return st;
		if (db_rows(e) != 1)
			return db_refuse(c->ref, REFUSAL_NOT_FOUND, NULL, "There is no such account.");
		return DB_OK; /* the same name: nothing to change or audit */
	}
	return audit_record(a, c->actor_id, "user.rename", "user", c->user_id, db_val(r, 0, 0),
	    db_val(r, 0, 1));
}

enum db_status user_rename(struct arena *a, const char *user_id, const char *name,
    const char *actor_id, struct refusal *ref)
{
	struct rename_ctx c = { user_id, name, actor_id, ref };
	return db_tx(a, DB_READ_COMMITTED, rename_body, &c);
}

enum db_status user_find(struct arena *a, const char *email, const char **user_id)
{
	enum db_status st;
	PGresult *r = db_query(a, &st, "SELECT id FROM users WHERE email = lower($1)", 1, email);
	*user_id = st == DB_OK && db_rows(r) == 1 ? db_val(r, 0, 0) : NULL;
	return st;
}

enum db_status user_find_in_role(struct arena *a, const char *email, enum role role,
    const char **user_id)
{
	enum db_status st;
	PGresult *r = db_query(a, &st, "SELECT id FROM users WHERE email = lower($1) AND role = $2",
	    2, email, role_name(role));
	*user_id = st == DB_OK && db_rows(r) == 1 ? db_val(r, 0, 0) : NULL;
	return st;
}

enum db_status user_credentials(struct arena *a, const char *email, long long *user_id,
    const char **hash)
{
	enum db_status st;
	PGresult *r = db_query(a, &st, "SELECT id, password_hash FROM users WHERE email = $1", 1, email);
	*user_id = 0;
	*hash = NULL;
	if (st == DB_OK && db_rows(r) == 1) {
		*user_id = db_int(r, 0, 0);
		*hash = db_val(r, 0, 1);
	}
	return st;
}

enum db_status user_password_set(struct arena *a, long long user_id, const char *hash)
{
	return db_exec(a, "UPDATE users SET password_hash = $1 WHERE id = $2", 2, hash,
	    arena_printf(a, "%lld", user_id));
}

struct register_ctx {
	const char *email, *name, *hash;
	long long *user_id;
};

static enum db_status register_body(struct arena *a, void *p)
{
	struct register_ctx *c = p;
	enum db_status st;
	PGresult *r = db_query(a, &st,
	    "INSERT INTO users (email, full_name, role, password_hash, email_confirmed_at)"
	    " VALUES ($1, $2, 'candidate', $3, NULL) RETURNING id", 3, c->email, c->name, c->hash);
	if (st != DB_OK)
		return st;
	*c->user_id = db_int(r, 0, 0);
	return mail_link_confirm_new(a, db_val(r, 0, 0));
}

enum db_status user_register(struct arena *a, const char *email, const char *name,
    const char *password_hash, long long *user_id)
{
	struct register_ctx c = { email, name, password_hash, user_id };
	return db_tx(a, DB_READ_COMMITTED, register_body, &c);
}
