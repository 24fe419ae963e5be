#include "db/audit_anchor.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "sign/signing.h"

static char anchor_dir[512] = "./var/anchor";

void audit_anchor_configure(const char *dir)
{
	snprintf(anchor_dir, sizeof anchor_dir, "%s", dir);
}

static void path_of(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", anchor_dir, name);
}

/* The one key of the folder ($DIR/ID.key); created when there is none. Called under the lock. */
static int anchor_key(struct signing_key *k, int create, char *err, size_t errlen)
{
	char pattern[600];
	glob_t g;
	path_of(pattern, sizeof pattern, "*.key");
	int found = glob(pattern, 0, NULL, &g) == 0 && g.gl_pathc == 1;
	if (found) {
		char id[KEY_ID_HEX + 1];
		const char *base = strrchr(g.gl_pathv[0], '/') + 1;
		snprintf(id, sizeof id, "%.*s", KEY_ID_HEX, base);
		globfree(&g);
		return key_load_secret(anchor_dir, id, k, err, errlen);
	}
	size_t count = g.gl_pathc;
	globfree(&g);
	if (count > 1) {
		snprintf(err, errlen, "%s holds more than one anchor key", anchor_dir);
		return -1;
	}
	if (!create) {
		snprintf(err, errlen, "no anchor key in %s", anchor_dir);
		return -1;
	}
	return key_generate(anchor_dir, k, err, errlen);
}

/* The public half only, for checking: $DIR/ID.pub. */
static int anchor_public(struct signing_key *k, char *err, size_t errlen)
{
	char pattern[600];
	glob_t g;
	path_of(pattern, sizeof pattern, "*.pub");
	if (glob(pattern, 0, NULL, &g) != 0 || g.gl_pathc != 1) {
		globfree(&g);
		snprintf(err, errlen, "no single anchor public key in %s", anchor_dir);
		return -1;
	}
	int rc = key_load_public(g.gl_pathv[0], k, err, errlen);
	globfree(&g);
	return rc;
}

static const char *anchor_message(struct arena *a, const char *at, long long last_id,
    const char *head, const char *digest)
{
	return arena_printf(a, "esonr-audit-anchor v1 %s %lld %s %s", at, last_id, head, digest);
}

static void hex32(char out[65], const unsigned char in[32])
{
	sodium_bin2hex(out, 65, in, 32);
}

/* "\x…" (bytea in hex) → 64 hex digits; NULL when malformed. */
static const char *bytea_hex(const char *v)
{
	return v && strncmp(v, "\\x", 2) == 0 && strlen(v) == 66 ? v + 2 : NULL;
}

struct anchor_file {
	long long last_id;       /* of the newest valid anchor */
	char last_at[32];
	int anchors;
	long long entries;
	long long *ids;          /* every entry line, in file order */
	char (*hashes)[65];
	size_t n, cap;
	const char *problem;     /* a line that is not what an anchor wrote */
};

/* Reads and checks the whole file: every anchor's signature and digest. pk NULL: no
 * signature check (the writer reads its own file to find where the last anchor ended). */
static int read_anchors(struct arena *a, FILE *f, const struct signing_key *pk, struct anchor_file *af)
{
	char line[1024];
	long long lineno = 0, pending_from = 0;
	crypto_hash_sha256_state digest;
	crypto_hash_sha256_init(&digest);
	memset(af, 0, sizeof *af);
	while (fgets(line, sizeof line, f) != NULL) {
		lineno++;
		long long id;
		char hash[65], at[32], head[65], dg[65], keyid[KEY_ID_HEX + 1], sig[129];
		int end;
		if (sscanf(line, "entry %lld %64[0-9a-f]%n", &id, hash, &end) == 2 && line[end] == '\n' &&
		    strlen(hash) == 64) {
			if (af->n == af->cap) {
				af->cap = af->cap ? 2 * af->cap : 256;
				long long *ids = arena_alloc(a, af->cap * sizeof *ids);
				char (*hs)[65] = arena_alloc(a, af->cap * sizeof *hs);
				if (af->n) {
					memcpy(ids, af->ids, af->n * sizeof *ids);
					memcpy(hs, af->hashes, af->n * sizeof *hs);
				}
				af->ids = ids;
				af->hashes = hs;
			}
			/* Entries written again after an anchor that never got written (a crash
			 * between the two): the earlier, unanchored copies are dropped. */
			if (id == af->last_id + 1 && af->n > (size_t)af->entries) {
				af->n = (size_t)af->entries;
				crypto_hash_sha256_init(&digest);
				pending_from = 0;
			}
			if (id != (af->n ? af->ids[af->n - 1] + 1 : 1)) {
				af->problem = arena_printf(a, "anchors file line %lld: entry %lld out of order", lineno, id);
				return -1;
			}
			af->ids[af->n] = id;
			memcpy(af->hashes[af->n], hash, 65);
			af->n++;
			if (pending_from == 0)
				pending_from = id;
			crypto_hash_sha256_update(&digest, (const unsigned char *)line, strlen(line));
			continue;
		}
		if (sscanf(line, "anchor %31s %lld %64[0-9a-f] %64[0-9a-f] %16[0-9a-f] %128[0-9a-f]%n", at, &id,
		    head, dg, keyid, sig, &end) == 6 && line[end] == '\n') {
			unsigned char d[32], s[crypto_sign_BYTES];
			char dhex[65];
			crypto_hash_sha256_final(&digest, d);
			crypto_hash_sha256_init(&digest);
			hex32(dhex, d);
			size_t len;
			const char *msg = anchor_message(a, at, id, head, dg);
			if (strcmp(dhex, dg) != 0 || (af->n && (af->ids[af->n - 1] != id ||
			    strcmp(af->hashes[af->n - 1], head) != 0)) || (!af->n && id != 0)) {
				af->problem = arena_printf(a, "anchors file line %lld: the anchor of %s does not match "
				    "its entries", lineno, at);
				return -1;
			}
			if (pk && (strcmp(keyid, pk->id) != 0 ||
			    sodium_hex2bin(s, sizeof s, sig, strlen(sig), NULL, &len, NULL) != 0 || len != sizeof s ||
			    crypto_sign_verify_detached(s, (const unsigned char *)msg, strlen(msg), pk->pk) != 0)) {
				af->problem = arena_printf(a, "anchors file line %lld: the anchor of %s is not signed by "
				    "the anchor key", lineno, at);
				return -1;
			}
			af->anchors++;
			af->last_id = id;
			af->entries = (long long)af->n;
			snprintf(af->last_at, sizeof af->last_at, "%s", at);
			pending_from = 0;
			continue;
		}
		af->problem = arena_printf(a, "anchors file line %lld is not an entry or an anchor", lineno);
		return -1;
	}
	/* Entry lines after the last anchor: an anchor cut short (a full disk, a crash); they
	 * are ignored, and the next anchor writes them again after a fresh start line. */
	af->n = (size_t)af->entries;
	(void)pending_from;
	return 0;
}

static int open_locked(const char *name, int flags, int lock, char *err, size_t errlen)
{
	char path[600];
	path_of(path, sizeof path, name);
	int fd = open(path, flags | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, lock) != 0) {
		snprintf(err, errlen, "%s: cannot lock: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	/* Made by root (esonrctl in a root-started stack): the folder's owner keeps writing it. */
	struct stat dir;
	if (geteuid() == 0 && stat(anchor_dir, &dir) == 0)
		if (fchown(fd, dir.st_uid, dir.st_gid) != 0) { /* best effort: root can still write */ }
	return fd;
}

int audit_anchor_write(struct arena *a, struct anchor_info *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	if (mkdir(anchor_dir, 0750) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", anchor_dir, strerror(errno));
		return -1;
	}
	int fd = open_locked("anchors", O_RDWR | O_CREAT | O_APPEND, LOCK_EX, err, errlen);
	if (fd < 0)
		return -1;
	int rc = -1;
	FILE *f = NULL;
	struct signing_key k;
	if (anchor_key(&k, 1, err, errlen) != 0)
		goto done;
	int fd2 = dup(fd);
	f = fd2 >= 0 ? fdopen(fd2, "r") : NULL;
	if (f == NULL) {
		snprintf(err, errlen, "anchors: %s", strerror(errno));
		goto done;
	}
	struct anchor_file af;
	if (read_anchors(a, f, NULL, &af) != 0) {
		snprintf(err, errlen, "%s", af.problem);
		goto done;
	}
	/* The entries since the previous anchor and the head, in one snapshot. */
	enum db_status st;
	char from[32];
	snprintf(from, sizeof from, "%lld", af.last_id);
	PGresult *r = db_query(a, &st,
	    "SELECT id, hash, to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
	    " FROM audit_log WHERE id > $1::bigint ORDER BY id", 1, from);
	if (st != DB_OK) {
		snprintf(err, errlen, "reading the audit log: %s", db_error());
		goto done;
	}
	int n = db_rows(r);
	if (n == 0 && af.anchors > 0) {
		out->unchanged = 1;
		out->last_id = af.last_id;
		snprintf(out->at, sizeof out->at, "%s", af.last_at);
		if (af.entries > 0)
			snprintf(out->head, sizeof out->head, "%s", af.hashes[af.entries - 1]);
		rc = 0;
		goto done;
	}
	if (n > 0 && db_int(r, 0, 0) != af.last_id + 1) {
		snprintf(err, errlen, "the audit log has no entry %lld after the last anchor", af.last_id + 1);
		goto done;
	}
	struct buf text;
	buf_init(&text, a);
	crypto_hash_sha256_state digest;
	crypto_hash_sha256_init(&digest);
	off_t size = lseek(fd, 0, SEEK_END);
	const char *head = af.entries ? af.hashes[af.entries - 1] : NULL;
	long long last_id = af.last_id;
	for (int i = 0; i < n; i++) {
		head = bytea_hex(db_val(r, i, 1));
		if (head == NULL || db_int(r, i, 0) != last_id + 1) {
			snprintf(err, errlen, "the audit log's entry %s is malformed or out of order", db_val(r, i, 0));
			goto done;
		}
		last_id = db_int(r, i, 0);
		const char *line = arena_printf(a, "entry %lld %s\n", last_id, head);
		crypto_hash_sha256_update(&digest, (const unsigned char *)line, strlen(line));
		buf_puts(&text, line);
	}
	char zero[65];
	memset(zero, '0', 64);
	zero[64] = '\0';
	if (head == NULL)
		head = zero;
	const char *at;
	if (n > 0) {
		at = db_val(r, 0, 2);
	} else {
		char now[32];
		time_t t = time(NULL);
		strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
		at = arena_strdup(a, now);
	}
	unsigned char d[32], sig[crypto_sign_BYTES];
	char dhex[65], shex[2 * crypto_sign_BYTES + 1];
	crypto_hash_sha256_final(&digest, d);
	hex32(dhex, d);
	const char *msg = anchor_message(a, at, last_id, head, dhex);
	crypto_sign_detached(sig, NULL, (const unsigned char *)msg, strlen(msg), k.sk);
	sodium_bin2hex(shex, sizeof shex, sig, sizeof sig);
	buf_puts(&text, arena_printf(a, "anchor %s %lld %s %s %s %s\n", at, last_id, head, dhex, k.id, shex));
	/* One write, and on any failure (a full disk) the file goes back to what it was: an
	 * anchor is all there or not at all. */
	errno = 0;
	if (write(fd, text.data, text.len) != (ssize_t)text.len || fsync(fd) != 0) {
		snprintf(err, errlen, "writing %s/anchors: %s", anchor_dir, errno ? strerror(errno) : "short write");
		if (size >= 0 && ftruncate(fd, size) != 0) { /* nothing more to do: reported above */ }
		goto done;
	}
	out->last_id = last_id;
	out->entries = n;
	snprintf(out->at, sizeof out->at, "%s", at);
	snprintf(out->head, sizeof out->head, "%s", head);
	rc = 0;
done:
	sodium_memzero(&k, sizeof k);
	if (f)
		fclose(f);
	close(fd);
	return rc;
}

int audit_anchor_check(struct arena *a, struct anchor_check *chk)
{
	char err[1024], path[600];
	memset(chk, 0, sizeof *chk);
	path_of(path, sizeof path, "anchors");
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		if (errno == ENOENT)
			return 0; /* not anchored yet: nothing to compare */
		chk->problem = arena_printf(a, "%s: %s", path, strerror(errno));
		return -1;
	}
	struct signing_key pk;
	if (anchor_public(&pk, err, sizeof err) != 0) {
		fclose(f);
		chk->problem = arena_strdup(a, err);
		return -1;
	}
	struct anchor_file af;
	int rc = read_anchors(a, f, &pk, &af);
	fclose(f);
	if (rc != 0) {
		chk->problem = af.problem;
		return -1;
	}
	chk->anchors = af.anchors;
	chk->anchored = af.entries;
	chk->last_id = af.last_id;
	snprintf(chk->last_at, sizeof chk->last_at, "%s", af.last_at);
	enum db_status st;
	PGresult *r = db_query(a, &st, "SELECT id, hash FROM audit_log WHERE id <= $1::bigint ORDER BY id", 1,
	    arena_printf(a, "%lld", af.last_id));
	if (st != DB_OK) {
		chk->problem = arena_printf(a, "reading the audit log: %s", db_error());
		return -1;
	}
	int n = db_rows(r);
	for (long long i = 0; i < af.entries; i++) {
		const char *h = i < n && db_int(r, (int)i, 0) == af.ids[i] ? bytea_hex(db_val(r, (int)i, 1)) : NULL;
		if (h == NULL || strcmp(h, af.hashes[i]) != 0) {
			chk->rewritten_from = af.ids[i];
			chk->problem = arena_printf(a, "entry %lld %s since it was anchored: the log was rewritten "
			    "from entry %lld on", af.ids[i], h ? "changed" : "disappeared", af.ids[i]);
			return -1;
		}
	}
	return 0;
}

int audit_anchor_parse(struct arena *a, const char *text, size_t len, int *anchors, long long *entries,
    const char **problem)
{
	FILE *f = fmemopen((void *)text, len, "r");
	if (f == NULL) {
		*problem = "cannot read the text";
		return -1;
	}
	struct anchor_file af;
	int rc = read_anchors(a, f, NULL, &af);
	fclose(f);
	*anchors = af.anchors;
	*entries = af.entries;
	*problem = af.problem;
	return rc;
}

int audit_anchor_latest(struct anchor_info *out)
{
	char path[600], line[1024];
	memset(out, 0, sizeof *out);
	path_of(path, sizeof path, "anchors");
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return errno == ENOENT ? 1 : -1;
	int found = 0;
	while (fgets(line, sizeof line, f) != NULL) {
		char at[32], head[65];
		long long id;
		if (sscanf(line, "anchor %31s %lld %64s", at, &id, head) == 3) {
			found = 1;
			out->last_id = id;
			snprintf(out->at, sizeof out->at, "%s", at);
			snprintf(out->head, sizeof out->head, "%s", head);
		}
	}
	fclose(f);
	return found ? 0 : 1;
}
