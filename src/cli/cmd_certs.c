/* esonrctl keygen, cert revoke | reissue | verify | verify-qr. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "db/certificates.h"
#include "sign/signing.h"

#define MAX_PDF (16 * 1024 * 1024)

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
	/* The new key signs from now on; the previous one is retired but stays published. */
	enum db_status st = db_exec(c->arena, "BEGIN", 0);
	if (st == DB_OK)
		st = db_exec(c->arena, "UPDATE signing_keys SET retired_at = now() WHERE retired_at IS NULL", 0);
	if (st == DB_OK)
		st = db_exec(c->arena, "INSERT INTO signing_keys (id, public_key) VALUES ($1, $2)", 2, k.id, hex);
	if (st == DB_OK)
		st = db_exec(c->arena, "COMMIT", 0);
	if (st != DB_OK) {
		db_exec(c->arena, "ROLLBACK", 0);
		char path[1024];
		snprintf(path, sizeof path, "%s/%s.key", c->cfg.keys, k.id);
		unlink(path);
		snprintf(path, sizeof path, "%s/%s.pub", c->cfg.keys, k.id);
		unlink(path);
		return cli_fail("keygen: the key could not be recorded: %s", db_error());
	}
	printf("%s\n", k.id);
	return CLI_OK;
}

static int valid_number(const char *s)
{
	size_t n = strlen(s);
	return n > 5 && n < 60 && strncmp(s, "ESNR-", 5) == 0 &&
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") == n;
}

int cmd_cert_revoke(struct cli *c)
{
	const char *reason = cli_opt(c, "reason"), *why = NULL;
	if (!valid_number(c->words[0]))
		return cli_usage("cert revoke: NUMBER looks like ESNR-L1-2027-0001");
	if (reason == NULL || *reason == '\0' || strlen(reason) > 500)
		return cli_usage("cert revoke: --reason TEXT (1 to 500 characters) is required");
	int rc = cli_connect(c);
	if (rc != CLI_OK)
		return rc;
	enum db_status st = certificate_revoke(c->arena, c->words[0], reason, NULL, &why);
	if (st == DB_REFUSED)
		return cli_fail("%s", why);
	if (st != DB_OK)
		return cli_fail("%s", db_error());
	printf("%s revoked\n", c->words[0]);
	return CLI_OK;
}

int cmd_cert_reissue(struct cli *c)
{
	const char *reason = cli_opt(c, "reason"), *why = NULL, *fresh = NULL;
	if (!valid_number(c->words[0]))
		return cli_usage("cert reissue: NUMBER looks like ESNR-L1-2027-0001");
	if (reason == NULL || *reason == '\0' || strlen(reason) > 500)
		return cli_usage("cert reissue: --reason TEXT (1 to 500 characters) is required");
	int rc = cli_connect(c);
	if (rc != CLI_OK)
		return rc;
	certificates_configure(c->cfg.base_url, c->cfg.keys, NULL, NULL);
	enum db_status st = certificate_reissue(c->arena, c->words[0], reason, NULL, &fresh, &why);
	if (st == DB_REFUSED)
		return cli_fail("%s", why);
	if (st != DB_OK)
		return cli_fail("%s", db_error());
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
	return buf;
}

/* The public key for key_id: --key FILE, else $VAR/keys/ID.pub, else the database. */
static int find_key(struct cli *c, const char *key_id, struct signing_key *k, int *db_up,
    const char **why)
{
	char err[512], path[1024];
	const char *keyfile = cli_opt(c, "key");
	if (keyfile != NULL) {
		if (key_load_public(keyfile, k, err, sizeof err) != 0) {
			*why = arena_strdup(c->arena, err);
			return -1;
		}
		if (strcmp(k->id, key_id) != 0) {
			*why = arena_printf(c->arena, "signed with key %s, not with the given key %s", key_id, k->id);
			return -1;
		}
		return 0;
	}
	snprintf(path, sizeof path, "%s/%s.pub", c->cfg.keys, key_id);
	if (access(path, R_OK) == 0 && key_load_public(path, k, err, sizeof err) == 0)
		return 0;
	if (*db_up) {
		const char *hex = NULL;
		int retired;
		if (signing_key_public(c->arena, key_id, &hex, &retired) == DB_OK && hex != NULL &&
		    key_from_public_hex(hex, k) == 0)
			return 0;
	}
	*why = arena_printf(c->arena, "signed with a key we do not know (%s)", key_id);
	return -1;
}

int cmd_cert_verify(struct cli *c)
{
	size_t len;
	const char *why = NULL;
	unsigned char *file = read_all(c->arena, c->words[0], &len, &why);
	if (file == NULL)
		return cli_usage("cert verify: %s: %s", c->words[0], why);
	/* Offline is a feature: the database is used when reachable, never required. */
	db_configure(c->cfg.db);
	int db_up = db_ensure() == 0;
	struct pdf_signature sig;
	struct signing_key k;
	if (pdf_signature_parse(file, len, &sig, &why) != 0 || find_key(c, sig.key_id, &k, &db_up, &why) != 0) {
		printf("NOT VALID: %s\n", why);
		return CLI_FAIL;
	}
	if (!pdf_signature_valid(file, &sig, k.pk)) {
		printf("NOT VALID: the file was altered after it was signed\n");
		return CLI_FAIL;
	}
	if (!db_up) {
		printf("VALID signature of %s (key %s); the register was not reachable, so revocation "
		    "was not checked\n", sig.number, sig.key_id);
		return CLI_OK;
	}
	struct cert_info info;
	int found;
	if (certificate_find(c->arena, sig.number, &info, &found) != DB_OK)
		return cli_fail("%s", db_error());
	if (!found) {
		printf("NOT VALID: %s is not in the register\n", sig.number);
		return CLI_FAIL;
	}
	if (info.revoked_on != NULL) {
		printf("NOT VALID: %s was revoked on %s: %s\n", sig.number, info.revoked_on, info.revoked_reason);
		return CLI_FAIL;
	}
	if (info.superseded_by != NULL) {
		printf("VALID signature of %s, superseded by %s\n", sig.number, info.superseded_by);
		return CLI_OK;
	}
	printf("VALID: %s, %s, %s (key %s)\n", sig.number, info.holder, info.qualification, sig.key_id);
	return CLI_OK;
}

int cmd_cert_verify_qr(struct cli *c)
{
	struct qr_record rec;
	const unsigned char *payload;
	size_t plen;
	unsigned char sig[crypto_sign_BYTES];
	const char *why = NULL;
	if (qr_record_parse(c->arena, c->words[0], &rec, &payload, &plen, sig, &why) != 0) {
		printf("NOT VALID: %s\n", why);
		return CLI_FAIL;
	}
	db_configure(c->cfg.db);
	int db_up = db_ensure() == 0;
	struct signing_key k;
	if (find_key(c, rec.key_id, &k, &db_up, &why) != 0) {
		printf("NOT VALID: %s\n", why);
		return CLI_FAIL;
	}
	if (!qr_record_valid(payload, plen, sig, k.pk)) {
		printf("NOT VALID: the record was altered after it was signed\n");
		return CLI_FAIL;
	}
	printf("VALID: %s, %s, %s, %s (key %s)\n", rec.number, rec.name, rec.qualification, rec.date,
	    rec.key_id);
	return CLI_OK;
}
