/* The office's view of the audit log: is it intact, and how far is it anchored outside the
 * database (db/audit_anchor.h)? */
#include <stdio.h>

#include "db/audit.h"
#include "db/audit_anchor.h"
#include "web/handlers.h"

void page_admin_audit(struct request *req)
{
	long long entries = 0;
	const char *why = NULL;
	struct anchor_check chk;
	if (db_ensure() != 0) {
		fail_db(req, DB_UNAVAILABLE);
		return;
	}
	int anchors_ok = audit_anchor_check(req->arena, &chk) == 0;
	int chain_ok = audit_verify(req->arena, &entries, &why) == 0;
	struct tdict *d = http_page(req, "Audit log");
	tdict_set_bool(d, "intact", anchors_ok && chain_ok);
	tdict_set(d, "problem", !anchors_ok ? chk.problem : why);
	tdict_set_int(d, "entries", entries);
	tdict_set_int(d, "anchors", chk.anchors);
	tdict_set_int(d, "anchored", chk.anchored);
	tdict_set_bool(d, "has_anchor", chk.anchors > 0);
	struct anchor_info last;
	if (audit_anchor_latest(&last) == 0) {
		tdict_set(d, "last_at", arena_strdup(req->arena, last.at));
		tdict_set_int(d, "last_id", last.last_id);
		tdict_set(d, "last_head", arena_strdup(req->arena, last.head));
	}
	tdict_set_int(d, "unanchored", entries > chk.anchored ? entries - chk.anchored : 0);
	http_render(req, 200, "admin_audit", d);
}
