/* esonrctl keygen, key compromised, cert revoke | reissue | verify | verify-qr. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "db/certificate_check.h"
#include "db/certificate_issue.h"
#include "db/certificates.h"
#include "db/signing_keys.h"
#include "domain/valid.h"
#include "sign/keylist.h"
#include "sign/pades.h"
#include "sign/signing.h"

#define MAX_PDF (16 * 1024 * 1024)

/* Every secret under the keys directory but the one in force is destroyed: a retired key
 * can sign nothing afterwards, because its secret half no longer exists. */
static int destroy_other_secrets(const char *dir, const char *keep)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return -1;
	int rc = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		if (n != KEY_ID_HEX + 4 || strcmp(e->d_name + KEY_ID_HEX, ".key") != 0 ||
		    strspn(e->d_name, "0123456789abcdef") != KEY_ID_HEX)
			continue;
		char id[KEY_ID_HEX + 1];
		memcpy(id, e->d_name, KEY_ID_HEX);
		id[KEY_ID_HEX] = '\0';
		if (keep != NULL && strcmp(id, keep) == 0)
			continue;
		if (key_destroy_secret(dir, id) != 0) {
			fprintf(stderr, "esonrctl: the secret key %s/%s.key could not be destroyed: %s\n", dir, id,
			    strerror(errno));
			rc = -1;
		}
	}
	closedir(d);
	return rc;
}

int cmd_keygen(struct cli *c)
{
	int rc = cli_connect(c);
	if (rc != CLI_OK)
		return rc;
	struct signing_key k;
	char err[512], hex[2 * crypto_sign_PUBLICKEYBYTES + 1];
	if (key_generate(c->cfg.keys, &k, err, sizeof err) != 0)
		return cli_fail("keygen: %s", err);
	key_public_hex(&k, hex);
	sodium_memzero(k.sk, sizeof k.sk);
	/* The PDF signature's development certificate, unless production configured its own:
	 * made before the key comes into force, so that the signer finds it from the start. */
	if (c->cfg.pades_cert[0] == '\0' && c->cfg.pades_pkcs12[0] == '\0' &&
	    pades_dev_identity_create(c->cfg.keys, k.id, err, sizeof err) != 0)
		fprintf(stderr, "esonrctl: keygen: no development PDF signing certificate: %s\n", err);
	/* The new key signs from now on; the previous one is retired but stays published. */
	const char *retired = NULL;
	if (signing_key_rotate(c->arena, k.id, hex, &retired) != DB_OK) {
		key_destroy_secret(c->cfg.keys, k.id);
		char path[1024];
		snprintf(path, sizeof path, "%s/%s.pub", c->cfg.keys, k.id);
		unlink(path);
		snprintf(path, sizeof path, "%s/%s.pades.crt", c->cfg.keys, k.id);
		unlink(path);
		return cli_fail("keygen: the key could not be recorded: %s", db_error());
	}
	if (destroy_other_secrets(c->cfg.keys, k.id) != 0)
		return cli_fail("keygen: key %s is in force, but a retired secret could not be destroyed", k.id);
	printf("%s\n", k.id);
	return CLI_OK;
}

static int valid_key_id(const char *s)
{
	return strlen(s) == KEY_ID_HEX && strspn(s, "0123456789abcdef") == KEY_ID_HEX;
}

/* --reason, by the one rule for the reasons the office types (domain/valid.h); NULL after
 * the usage message. */
static const char *reason_of(struct cli *c, const char *cmd)
{
	static const struct valid_rule rule = { VALID_REASON, 0, 0, NULL };
	const char *why, *reason = valid_check(c->arena, &rule, cli_opt(c, "reason"), &why);
	if (reason == NULL)
		cli_usage("%s: --reason TEXT: %s", cmd, why);
	return reason;
}

int cmd_key_compromised(struct cli *c)
{
	if (!valid_key_id(c->words[0]))
		return cli_usage("key compromised: KEYID is the key's 16 hex digits (see /verify/keys)");
	const char *reason = reason_of(c, "key compromised");
	if (reason == NULL)
		return CLI_USAGE;
	int rc = cli_connect(c);
	if (rc != CLI_OK)
		return rc;
	const char **numbers;
	int n;
	struct refusal ref = { 0 };
	if ((rc = cli_status("key compromised", signing_key_compromise(c->arena, c->words[0], reason, NULL,
	    &numbers, &n, &ref), &ref)) != CLI_OK)
		return rc;
	/* Its secret, if it is still here, must not sign again. */
	if (key_destroy_secret(c->cfg.keys, c->words[0]) != 0)
		fprintf(stderr, "esonrctl: the secret key of %s could not be destroyed: %s\n", c->words[0],
		    strerror(errno));
	printf("key %s is compromised: %d certificate%s in force signed with it must be reissued%s\n",
	    c->words[0], n, n == 1 ? "" : "s", n > 0 ? " (esonrctl cert reissue NUMBER):" : "");
	for (int i = 0; i < n; i++)
		printf("%s\n", numbers[i]);
	return CLI_OK;
}

int cmd_cert_revoke(struct cli *c)
{
	if (!valid_cert_number(c->words[0]))
		return cli_usage("cert revoke: NUMBER looks like ESNR-L1-2027-0001");
	const char *reason = reason_of(c, "cert revoke");
	if (reason == NULL)
		return CLI_USAGE;
	int rc = cli_connect(c);
	if (rc != CLI_OK)
		return rc;
	struct refusal ref = { 0 };
	if ((rc = cli_status("cert revoke", certificate_revoke(c->arena, c->words[0], reason, NULL, &ref),
	    &ref)) != CLI_OK)
		return rc;
	printf("%s revoked\n", c->words[0]);
	return CLI_OK;
}

int cmd_cert_reissue(struct cli *c)
{
	const char *fresh = NULL;
	if (!valid_cert_number(c->words[0]))
		return cli_usage("cert reissue: NUMBER looks like ESNR-L1-2027-0001");
	const char *reason = reason_of(c, "cert reissue");
	if (reason == NULL)
		return CLI_USAGE;
	int rc = cli_connect(c);
	if (rc != CLI_OK)
		return rc;
	certificates_configure(c->cfg.base_url, c->cfg.keys, NULL, NULL);
	struct refusal ref = { 0 };
	if ((rc = cli_status("cert reissue", certificate_reissue(c->arena, c->words[0], reason, NULL, &fresh,
	    &ref), &ref)) != CLI_OK)
		return rc;
	printf("%s\n", fresh);
	return CLI_OK;
}

static unsigned char *read_all(struct arena *a, const char *path, size_t *len, const char **why)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		*why = strerror(errno);
		return NULL;
	}
	unsigned char *buf = arena_alloc(a, MAX_PDF + 1);
	*len = fread(buf, 1, MAX_PDF + 1, f);
	fclose(f);
	if (*len > MAX_PDF) {
		*why = "larger than any certificate";
		return NULL;
	}
	buf[*len] = '\0';
	return buf;
}

/* What --key names: one public key (a .pub file, its 64 hex digits, the raw 32 bytes), or
 * the published key list (/verify/keys.txt) with each key's state and period. */
struct given_keys {
	int list;                 /* 1: a key list, 0: one key */
	struct keylist keys;      /* one entry when not a list */
};

static int load_given_keys(struct cli *c, const char *path, struct given_keys *g, const char **why)
{
	char err[512];
	size_t len;
	static struct published_key one;
	memset(g, 0, sizeof *g);
	memset(&one, 0, sizeof one);
	if (key_load_public(path, &one.key, err, sizeof err) == 0) {
		g->keys.keys = &one;
		g->keys.n = 1;
		return 0;
	}
	const char *text = (const char *)read_all(c->arena, path, &len, why);
	if (text == NULL)
		return -1;
	if (keylist_parse(c->arena, text, len, &g->keys, why) != 0) {
		*why = arena_printf(c->arena, "%s is neither a public key nor the published key list (%s)", path, *why);
		return -1;
	}
	g->list = 1;
	return 0;
}

/* The offline judgement (no register): NULL when the given key(s) vouch for a signature by
 * key_id made at signed_at ("" unknown), else why not. *k is the key to check with. */
static const char *given_key_problem(struct arena *a, const struct given_keys *g, const char *key_id,
    const char *signed_at, const struct signing_key **k)
{
	const struct published_key *p = keylist_find(&g->keys, key_id);
	if (p == NULL)
		return g->list ? arena_printf(a, "signed with key %s, which the published key list does not contain", key_id) :
		    arena_printf(a, "signed with key %s, not with the given key %s", key_id, g->keys.keys[0].key.id);
	*k = &p->key;
	return g->list ? keylist_problem(a, p, signed_at) : NULL;
}

static int db_reachable(struct cli *c)
{
	db_configure(c->cfg.db);
	return db_ensure() == 0;
}

int cmd_cert_verify(struct cli *c)
{
	size_t len;
	const char *why = NULL, *keyfile = cli_opt(c, "key");
	unsigned char *file = read_all(c->arena, c->words[0], &len, &why);
	if (file == NULL)
		return cli_usage("cert verify: %s: %s", c->words[0], why);
	struct given_keys g;
	if (keyfile != NULL && load_given_keys(c, keyfile, &g, &why) != 0)
		return cli_usage("cert verify: --key %s", why);
	struct pdf_signature sig;
	if (pdf_signature_parse(file, len, &sig, &why) != 0) {
		printf("NOT VALID: %s\n", why);
		return CLI_FAIL;
	}
	const struct signing_key *k = NULL;
	if (keyfile != NULL) {
		if ((why = given_key_problem(c->arena, &g, sig.key_id, sig.signed_at, &k)) != NULL) {
			printf("NOT VALID: %s\n", why);
			return CLI_FAIL;
		}
		if (!pdf_signature_valid(file, &sig, k->pk)) {
			printf("NOT VALID: the file was altered after it was signed\n");
			return CLI_FAIL;
		}
	}
	/* Offline is a feature: the register is used when reachable, never required. */
	if (!db_reachable(c)) {
		if (keyfile == NULL) {
			/* The stack's own published half, named by the trailer's key id (16 hex digits,
			 * nothing else gets through the parser): the same as --key KEYID.pub. */
			char path[1024], err[512];
			static struct published_key local;
			snprintf(path, sizeof path, "%s/%s.pub", c->cfg.keys, sig.key_id);
			memset(&g, 0, sizeof g);
			if (key_load_public(path, &local.key, err, sizeof err) != 0) {
				printf("NOT VALID: cannot tell: the register is not reachable and no --key was given "
				    "(the published key list is at /verify/keys.txt)\n");
				return CLI_FAIL;
			}
			g.keys.keys = &local;
			g.keys.n = 1;
			if ((why = given_key_problem(c->arena, &g, sig.key_id, sig.signed_at, &k)) != NULL ||
			    !pdf_signature_valid(file, &sig, k->pk)) {
				printf("NOT VALID: %s\n", why ? why : "the file was altered after it was signed");
				return CLI_FAIL;
			}
		}
		printf("VALID signature of %s by key %s%s%s; the register was not consulted, so whether this "
		    "key signed this number, whether this is the file issued and whether it was revoked are "
		    "not known\n", sig.number, sig.key_id, g.list ? ", within the key's published period" : "",
		    sig.signed_at[0] ? arena_printf(c->arena, " (signed %s)", sig.signed_at) : "");
		return CLI_OK;
	}
	struct cert_verdict v;
	if (certificate_check_file(c->arena, file, len, &v) != DB_OK)
		return cli_fail("%s", db_error());
	if (!v.genuine) {
		printf("NOT VALID: %s\n", v.why);
		return CLI_FAIL;
	}
	if (v.info.superseded_by != NULL) {
		printf("VALID signature of %s, superseded by %s\n", sig.number, v.info.superseded_by);
		return CLI_OK;
	}
	printf("VALID: %s, %s, %s (key %s, %s)\n", sig.number, v.info.holder, v.info.qualification, sig.key_id,
	    key_state_name(v.key.state));
	return CLI_OK;
}

int cmd_cert_verify_qr(struct cli *c)
{
	struct qr_record rec;
	const unsigned char *payload;
	size_t plen;
	unsigned char sig[crypto_sign_BYTES];
	const char *why = NULL, *keyfile = cli_opt(c, "key");
	struct given_keys g;
	if (keyfile != NULL && load_given_keys(c, keyfile, &g, &why) != 0)
		return cli_usage("cert verify-qr: --key %s", why);
	if (qr_record_parse(c->arena, c->words[0], &rec, &payload, &plen, sig, &why) != 0) {
		printf("NOT VALID: %s\n", why);
		return CLI_FAIL;
	}
	/* The record's key id is data from the code, never a file name. */
	if (!valid_key_id(rec.key_id)) {
		printf("NOT VALID: the record names no key of ours\n");
		return CLI_FAIL;
	}
	struct signing_key k;
	struct cert_verdict v;
	int db_up = db_reachable(c);
	const char *retired_note = "";
	if (keyfile != NULL) {
		/* A record carries no signing time: a retired key's record is taken for what it is,
		 * said so; a compromised key's never. */
		const struct published_key *p = keylist_find(&g.keys, rec.key_id);
		const struct signing_key *given;
		if (p == NULL || (g.list && p->state == PUBLISHED_COMPROMISED)) {
			why = p == NULL ? given_key_problem(c->arena, &g, rec.key_id, "", &given) : keylist_problem(c->arena, p, "");
			printf("NOT VALID: %s\n", why);
			return CLI_FAIL;
		}
		k = p->key;
		if (g.list && p->state == PUBLISHED_RETIRED)
			retired_note = arena_printf(c->arena, "; key %s was retired on %s, and whether it signed this "
			    "record before then is known to the register only", p->key.id, p->until);
	} else if (!db_up) {
		printf("NOT VALID: cannot tell: the register is not reachable and no --key was given "
		    "(the published key list is at /verify/keys.txt)\n");
		return CLI_FAIL;
	}
	if (db_up) {
		if (certificate_check_record(c->arena, rec.number, rec.key_id, c->words[0], &v) != DB_OK)
			return cli_fail("%s", db_error());
		if (!v.found || !v.key_known || key_from_public_hex(v.key.public_hex, &k) != 0) {
			printf("NOT VALID: %s\n", v.why);
			return CLI_FAIL;
		}
	}
	/* The signature first: an altered record says so, whatever else the register says. */
	if (!qr_record_valid(payload, plen, sig, k.pk)) {
		printf("NOT VALID: the record was altered after it was signed\n");
		return CLI_FAIL;
	}
	if (!db_up) {
		printf("VALID record of %s, %s, %s, %s (key %s); the register was not consulted, so revocation "
		    "is not known%s\n", rec.number, rec.name, rec.qualification, rec.date, rec.key_id, retired_note);
		return CLI_OK;
	}
	if (!v.genuine) {
		printf("NOT VALID: %s\n", v.why);
		return CLI_FAIL;
	}
	printf("VALID: %s, %s, %s, %s (key %s)%s%s\n", rec.number, rec.name, rec.qualification, rec.date,
	    rec.key_id, v.info.superseded_by ? ", superseded by " : "",
	    v.info.superseded_by ? v.info.superseded_by : "");
	return CLI_OK;
}
