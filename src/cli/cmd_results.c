/* esonrctl session publish, audit verify. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/text.h"
#include "db/audit.h"
#include "db/audit_anchor.h"
#include "db/certificates.h"
#include "db/results.h"

int cmd_session_publish(struct cli *c)
{
	const char *id = c->words[0];
	if (!text_is_id(id))
		return cli_usage("session publish: SESSION must be a session id");
	int rc = cli_connect(c);
	if (rc != CLI_OK)
		return rc;
	int issued = 0;
	struct refusal ref = { 0 };
	if ((rc = cli_status("session publish", exam_session_publish(c->arena, id, NULL, &issued, &ref),
	    &ref)) != CLI_OK)
		return rc;
	printf("session %s published: %d certificate%s issued\n", id, issued, issued == 1 ? "" : "s");
	struct cert_problem *p;
	int n;
	if (certificate_problems(c->arena, id, &p, &n) == DB_OK)
		for (int i = 0; i < n; i++)
			printf("not issued: booking %s (%s): %s\n", p[i].booking_id, p[i].email, p[i].problem);
	return CLI_OK;
}

int cmd_audit_verify(struct cli *c)
{
	int rc = cli_connect(c);
	if (rc != CLI_OK)
		return rc;
	long long n = 0;
	const char *why = NULL;
	/* Against the anchors first: a log rewritten with its hashes recomputed passes the
	 * chain's own check, but not this one, which names where the rewrite starts. */
	struct anchor_check chk;
	if (audit_anchor_check(c->arena, &chk) != 0) {
		printf("audit log NOT intact: %s\n", chk.problem);
		return CLI_FAIL;
	}
	if (audit_verify(c->arena, &n, &why) != 0) {
		printf("audit log NOT intact: %s\n", why);
		return CLI_FAIL;
	}
	if (chk.anchors == 0)
		printf("audit log intact: %lld entries (not anchored yet: esonrctl audit anchor)\n", n);
	else
		printf("audit log intact: %lld entries, %lld of them anchored (last anchor %s, entry %lld)\n",
		    n, chk.anchored, chk.last_at, chk.last_id);
	return CLI_OK;
}
