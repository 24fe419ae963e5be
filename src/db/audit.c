#include "db/audit.h"

#include <sodium.h>
#include <string.h>

enum db_status audit_record(struct arena *a, const char *actor_id, const char *action,
    const char *entity, const char *entity_id, const char *before, const char *after)
{
	return db_exec(a, "SELECT audit_append($1, $2, $3, $4, $5::jsonb, $6::jsonb)", 6,
	    actor_id, action, entity, entity_id, before, after);
}

static int hex_to_bytes(const char *bytea_hex, unsigned char out[32])
{
	size_t len;
	if (bytea_hex == NULL || strncmp(bytea_hex, "\\x", 2) != 0)
		return -1;
	return sodium_hex2bin(out, 32, bytea_hex + 2, strlen(bytea_hex + 2), NULL, &len, NULL) == 0 &&
	    len == 32 ? 0 : -1;
}

int audit_verify(struct arena *a, long long *entries, const char **why)
{
	enum db_status st;
	unsigned char prev[32] = { 0 }, stored_prev[32], stored[32], computed[32];
	long long expect_id = 1;
	*entries = 0;
	/* The payload is rebuilt here in C from the columns as stored; only the timestamp's
	 * text form comes from SQL, so that both sides print it the same way. */
	PGresult *r = db_query(a, &st,
	    "SELECT id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'),"
	    "   coalesce(actor_id::text, '-'), action, entity, entity_id,"
	    "   coalesce(before::text, 'null'), coalesce(after::text, 'null'), prev_hash, hash"
	    " FROM audit_log ORDER BY id", 0);
	if (st != DB_OK) {
		*why = db_error();
		return -1;
	}
	for (int i = 0; i < db_rows(r); i++) {
		long long id = db_int(r, i, 0);
		if (id != expect_id) {
			*why = arena_printf(a, "entry %lld is missing (found %lld next)", expect_id, id);
			return -1;
		}
		if (hex_to_bytes(db_val(r, i, 8), stored_prev) != 0 ||
		    hex_to_bytes(db_val(r, i, 9), stored) != 0) {
			*why = arena_printf(a, "entry %lld has a malformed hash", id);
			return -1;
		}
		if (memcmp(stored_prev, prev, 32) != 0) {
			*why = arena_printf(a, "entry %lld does not follow entry %lld", id, id - 1);
			return -1;
		}
		const char *payload = arena_printf(a, "%s|%s|%s|%s|%s|%s|%s|%s", db_val(r, i, 0),
		    db_val(r, i, 1), db_val(r, i, 2), db_val(r, i, 3), db_val(r, i, 4), db_val(r, i, 5),
		    db_val(r, i, 6), db_val(r, i, 7));
		crypto_hash_sha256_state h;
		crypto_hash_sha256_init(&h);
		crypto_hash_sha256_update(&h, prev, 32);
		crypto_hash_sha256_update(&h, (const unsigned char *)payload, strlen(payload));
		crypto_hash_sha256_final(&h, computed);
		if (memcmp(computed, stored, 32) != 0) {
			*why = arena_printf(a, "entry %lld was changed after it was written", id);
			return -1;
		}
		memcpy(prev, stored, 32);
		expect_id++;
		(*entries)++;
	}
	PGresult *head = db_query(a, &st, "SELECT last_id, last_hash FROM audit_head", 0);
	if (st != DB_OK || db_rows(head) != 1 || hex_to_bytes(db_val(head, 0, 1), stored) != 0) {
		*why = "the chain's head record is missing";
		return -1;
	}
	if (db_int(head, 0, 0) != *entries || memcmp(stored, prev, 32) != 0) {
		*why = arena_printf(a, "the newest entries were removed: the head says %s entries, "
		    "%lld remain", db_val(head, 0, 0), *entries);
		return -1;
	}
	return 0;
}
