#include "db/users.h"

#include "db/audit.h"
#include "db/mail_links.h"

struct rename_ctx {
	const char *user_id, *name, *actor_id;
	const char **why;
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
		if (db_rows(e) != 1) {
			*c->why = "no such user";
			return DB_REFUSED;
		}
		return DB_OK; /* the same name: nothing to change or audit */
	}
	return audit_record(a, c->actor_id, "user.rename", "user", c->user_id, db_val(r, 0, 0),
	    db_val(r, 0, 1));
}

enum db_status user_rename(struct arena *a, const char *user_id, const char *name,
    const char *actor_id, const char **why)
{
	struct rename_ctx c = { user_id, name, actor_id, why };
	return db_tx(a, DB_READ_COMMITTED, rename_body, &c);
}

enum db_status user_find(struct arena *a, const char *email, const char **user_id)
{
	enum db_status st;
	PGresult *r = db_query(a, &st, "SELECT id FROM users WHERE email = lower($1)", 1, email);
	*user_id = st == DB_OK && db_rows(r) == 1 ? db_val(r, 0, 0) : NULL;
	return st;
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
