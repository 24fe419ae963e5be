#include "sign/signing.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SIG_MARK "\n%ESNR-SIGNATURE v"
#define B64 sodium_base64_VARIANT_URLSAFE_NO_PADDING

static void key_id_of(struct signing_key *k)
{
	unsigned char h[8];
	crypto_generichash(h, sizeof h, k->pk, sizeof k->pk, NULL, 0);
	sodium_bin2hex(k->id, sizeof k->id, h, sizeof h);
}

void key_public_hex(const struct signing_key *k, char out[2 * crypto_sign_PUBLICKEYBYTES + 1])
{
	sodium_bin2hex(out, 2 * crypto_sign_PUBLICKEYBYTES + 1, k->pk, sizeof k->pk);
}

static int owner_of_dir(const char *path, int fd)
{
	char dir[1024];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash)
		slash[slash == dir] = '\0'; /* "/k.key" lives in "/" */
	struct stat st;
	if (stat(slash ? dir : ".", &st) != 0)
		return -1;
	return fchown(fd, st.st_uid, st.st_gid);
}

static int write_file(const char *path, const char *text, mode_t mode, char *err, size_t errlen)
{
	return key_file_write(path, text, strlen(text), mode, err, errlen);
}

int key_file_write(const char *path, const void *data, size_t n, mode_t mode, char *err, size_t errlen)
{
	/* O_EXCL: a key file is never overwritten. */
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* Run by root (esonrctl keygen in a root-started stack), the file goes to the owner of
	 * the keys folder: the unprivileged user that signs, not root. */
	if (geteuid() == 0 && owner_of_dir(path, fd) != 0) {
		snprintf(err, errlen, "%s: cannot give it to the keys folder's owner: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	int ok = write(fd, data, n) == (ssize_t)n && fsync(fd) == 0;
	ok = close(fd) == 0 && ok;
	if (!ok) {
		snprintf(err, errlen, "%s: write failed", path);
		unlink(path);
		return -1;
	}
	return 0;
}

int key_generate(const char *dir, struct signing_key *k, char *err, size_t errlen)
{
	char path[1024], text[512], hex[2 * crypto_sign_SECRETKEYBYTES + 1];
	if (sodium_init() < 0) {
		snprintf(err, errlen, "libsodium failed to initialise");
		return -1;
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	crypto_sign_keypair(k->pk, k->sk);
	k->has_secret = 1;
	key_id_of(k);
	sodium_bin2hex(hex, sizeof hex, k->sk, sizeof k->sk);
	snprintf(text, sizeof text, "esonr-ed25519-secret %s %s\n", k->id, hex);
	snprintf(path, sizeof path, "%s/%s.key", dir, k->id);
	int rc = write_file(path, text, 0600, err, errlen);
	sodium_memzero(text, sizeof text);
	sodium_memzero(hex, sizeof hex);
	if (rc != 0)
		return -1;
	key_public_hex(k, hex);
	snprintf(text, sizeof text, "esonr-ed25519-public %s %s\n", k->id, hex);
	snprintf(path, sizeof path, "%s/%s.pub", dir, k->id);
	return write_file(path, text, 0644, err, errlen);
}

/* Reads "esonr-ed25519-KIND ID HEX" from path into bin (n bytes). */
static int read_key_file(const char *path, const char *kind, char id[KEY_ID_HEX + 1],
    unsigned char *bin, size_t n, char *err, size_t errlen)
{
	char line[512], word[32], hex[300];
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	int ok = fgets(line, sizeof line, f) != NULL;
	fclose(f);
	size_t len;
	char want[32];
	snprintf(want, sizeof want, "esonr-ed25519-%s", kind);
	if (!ok || sscanf(line, "%31s %16s %299s", word, id, hex) != 3 || strcmp(word, want) != 0 ||
	    sodium_hex2bin(bin, n, hex, strlen(hex), NULL, &len, NULL) != 0 || len != n) {
		snprintf(err, errlen, "%s: not an ESoNR %s key file", path, kind);
		sodium_memzero(line, sizeof line);
		sodium_memzero(hex, sizeof hex);
		return -1;
	}
	sodium_memzero(line, sizeof line);
	sodium_memzero(hex, sizeof hex);
	return 0;
}

int key_load_secret(const char *dir, const char *id, struct signing_key *k, char *err, size_t errlen)
{
	char path[1024], file_id[KEY_ID_HEX + 1];
	snprintf(path, sizeof path, "%s/%s.key", dir, id);
	if (read_key_file(path, "secret", file_id, k->sk, sizeof k->sk, err, errlen) != 0)
		return -1;
	crypto_sign_ed25519_sk_to_pk(k->pk, k->sk);
	k->has_secret = 1;
	key_id_of(k);
	if (strcmp(k->id, id) != 0 || strcmp(file_id, id) != 0) {
		snprintf(err, errlen, "%s: the key does not match its id", path);
		return -1;
	}
	return 0;
}

/* A key published elsewhere: the 64 hex digits of /verify/keys, or the raw 32 bytes. */
static int read_bare_public(const char *path, struct signing_key *k)
{
	unsigned char buf[200];
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return -1;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	if (n == sizeof k->pk) {
		memcpy(k->pk, buf, n);
		return 0;
	}
	buf[n] = '\0';
	char *s = (char *)buf;
	while (*s == ' ' || *s == '\t')
		s++;
	size_t len = strcspn(s, " \t\r\n");
	s[len] = '\0';
	return key_from_public_hex(s, k);
}

int key_load_public(const char *path, struct signing_key *k, char *err, size_t errlen)
{
	char file_id[KEY_ID_HEX + 1];
	if (read_key_file(path, "public", file_id, k->pk, sizeof k->pk, err, errlen) != 0) {
		if (read_bare_public(path, k) != 0)
			return -1;
		k->has_secret = 0;
		key_id_of(k);
		return 0;
	}
	k->has_secret = 0;
	key_id_of(k);
	if (strcmp(k->id, file_id) != 0) {
		snprintf(err, errlen, "%s: the key does not match its id", path);
		return -1;
	}
	return 0;
}

static int destroy_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	/* Overwritten in place before the name goes, so that the bytes do not linger in a
	 * free block of $VAR (as far as the file system rewrites in place). */
	struct stat sb;
	int ok = fstat(fd, &sb) == 0;
	unsigned char junk[512];
	for (off_t done = 0; ok && done < sb.st_size; done += (off_t)sizeof junk) {
		randombytes_buf(junk, sizeof junk);
		size_t n = sb.st_size - done < (off_t)sizeof junk ? (size_t)(sb.st_size - done) : sizeof junk;
		ok = pwrite(fd, junk, n, done) == (ssize_t)n;
	}
	ok = ok && fsync(fd) == 0;
	ok = close(fd) == 0 && ok;
	return unlink(path) == 0 && ok ? 0 : -1;
}

int key_destroy_secret(const char *dir, const char *id)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s.key", dir, id);
	int rc = destroy_file(path);
	/* The PAdES signing key made with it (esonrctl keygen) goes with it. */
	snprintf(path, sizeof path, "%s/%s.pades.key", dir, id);
	return destroy_file(path) == 0 && rc == 0 ? 0 : -1;
}

int key_from_public_hex(const char *hex, struct signing_key *k)
{
	size_t len;
	if (hex == NULL || sodium_hex2bin(k->pk, sizeof k->pk, hex, strlen(hex), NULL, &len, NULL) != 0 ||
	    len != sizeof k->pk)
		return -1;
	k->has_secret = 0;
	key_id_of(k);
	return 0;
}

int pdf_sign(struct arena *a, const unsigned char *pdf, size_t len, const struct signing_key *k,
    const char *number, const char *signed_at, unsigned char **out, size_t *outlen)
{
	unsigned char sig[crypto_sign_BYTES];
	char b64[sodium_base64_ENCODED_LEN(crypto_sign_BYTES, B64)];
	const char *head = signed_at != NULL ?
	    arena_printf(a, "%%ESNR-SIGNATURE v2 key=%s number=%s signed=%s ed25519=", k->id, number, signed_at) :
	    arena_printf(a, "%%ESNR-SIGNATURE v1 key=%s number=%s ed25519=", k->id, number);
	size_t hlen = strlen(head);
	/* A PDF written by libharu ends with "%%EOF\n"; the trailer starts on its own line. */
	int need_nl = len == 0 || pdf[len - 1] != '\n';
	size_t signed_len = len + (size_t)need_nl + hlen;
	unsigned char *buf = arena_alloc(a, signed_len + sizeof b64 + 2);
	memcpy(buf, pdf, len);
	if (need_nl)
		buf[len] = '\n';
	memcpy(buf + len + need_nl, head, hlen);
	if (!k->has_secret || crypto_sign_detached(sig, NULL, buf, signed_len, k->sk) != 0)
		return -1;
	sodium_bin2base64(b64, sizeof b64, sig, sizeof sig, B64);
	size_t blen = strlen(b64);
	memcpy(buf + signed_len, b64, blen);
	buf[signed_len + blen] = '\n';
	*out = buf;
	*outlen = signed_len + blen + 1;
	return 0;
}

const unsigned char *bytes_find_last(const unsigned char *h, size_t hlen, const char *needle)
{
	size_t n = strlen(needle);
	if (hlen < n)
		return NULL;
	for (size_t i = hlen - n + 1; i-- > 0;)
		if (memcmp(h + i, needle, n) == 0)
			return h + i;
	return NULL;
}

int pdf_signature_parse(const unsigned char *file, size_t len, struct pdf_signature *s,
    const char **why)
{
	memset(s, 0, sizeof *s);
	if (len < 5 || memcmp(file, "%PDF-", 5) != 0) {
		*why = "not a PDF file";
		return -1;
	}
	const unsigned char *mark = bytes_find_last(file, len, SIG_MARK);
	if (mark == NULL) {
		*why = "not a certificate of ours: the file carries no ESoNR signature";
		return -1;
	}
	const unsigned char *line = mark + 1, *end = file + len;
	if (end[-1] != '\n') {
		*why = "the file was altered: data follows its signature";
		return -1;
	}
	size_t llen = (size_t)(end - 1 - line);
	char text[256];
	if (llen >= sizeof text || memchr(line, '\n', llen) != NULL) {
		*why = "the file was altered: its signature line is malformed";
		return -1;
	}
	memcpy(text, line, llen);
	text[llen] = '\0';
	char b64[128];
	int v2 = strncmp(text, "%ESNR-SIGNATURE v2 ", 19) == 0;
	int fields = v2 ?
	    sscanf(text, "%%ESNR-SIGNATURE v2 key=%16[0-9a-f] number=%63[A-Z0-9-] signed=%20[0-9TZ:-] ed25519=%127s",
	        s->key_id, s->number, s->signed_at, b64) :
	    sscanf(text, "%%ESNR-SIGNATURE v1 key=%16[0-9a-f] number=%63[A-Z0-9-] ed25519=%127s",
	        s->key_id, s->number, b64);
	if (fields != (v2 ? 4 : 3) || strlen(s->key_id) != KEY_ID_HEX ||
	    (v2 && strlen(s->signed_at) != 20)) {
		*why = "the file was altered: its signature line is malformed";
		return -1;
	}
	size_t siglen;
	if (sodium_base642bin(s->sig, sizeof s->sig, b64, strlen(b64), NULL, &siglen, NULL, B64) != 0 ||
	    siglen != sizeof s->sig) {
		*why = "the file was altered: its signature is malformed";
		return -1;
	}
	/* sscanf is lenient with white space: only the exact line we write is accepted, and
	 * the signed part is measured on that canonical form. */
	char canonical[256];
	int head = v2 ?
	    snprintf(canonical, sizeof canonical, "%%ESNR-SIGNATURE v2 key=%s number=%s signed=%s ed25519=",
	        s->key_id, s->number, s->signed_at) :
	    snprintf(canonical, sizeof canonical, "%%ESNR-SIGNATURE v1 key=%s number=%s ed25519=",
	        s->key_id, s->number);
	if (head <= 0 || (size_t)head + strlen(b64) >= sizeof canonical ||
	    strncmp(canonical, text, (size_t)head) != 0 || strcmp(text + head, b64) != 0) {
		*why = "the file was altered: its signature line is malformed";
		return -1;
	}
	s->signed_len = (size_t)(line - file) + (size_t)head;
	return 0;
}

int pdf_signature_valid(const unsigned char *file, const struct pdf_signature *s,
    const unsigned char pk[crypto_sign_PUBLICKEYBYTES])
{
	return crypto_sign_verify_detached(s->sig, file, s->signed_len, pk) == 0;
}

const char *qr_record_sign(struct arena *a, const struct signing_key *k, const char *number,
    const char *name, const char *qualification, const char *date)
{
	const char *payload = arena_printf(a, "%s|%s|%s|%s|%s", number, name, qualification, date, k->id);
	size_t plen = strlen(payload);
	unsigned char sig[crypto_sign_BYTES];
	if (!k->has_secret || crypto_sign_detached(sig, NULL, (const unsigned char *)payload, plen, k->sk) != 0)
		return NULL;
	size_t pb = sodium_base64_ENCODED_LEN(plen, B64), sb = sodium_base64_ENCODED_LEN(sizeof sig, B64);
	char *p64 = arena_alloc(a, pb), *s64 = arena_alloc(a, sb);
	sodium_bin2base64(p64, pb, (const unsigned char *)payload, plen, B64);
	sodium_bin2base64(s64, sb, sig, sizeof sig, B64);
	return arena_printf(a, "v1.%s.%s", p64, s64);
}

int qr_record_parse(struct arena *a, const char *text, struct qr_record *out,
    const unsigned char **payload, size_t *payload_len, unsigned char sig[crypto_sign_BYTES],
    const char **why)
{
	const char *hash = strchr(text, '#');
	const char *rec = hash ? hash + 1 : text;
	if (strncmp(rec, "v1.", 3) != 0) {
		*why = "not an ESoNR certificate record";
		return -1;
	}
	const char *dot = strchr(rec + 3, '.');
	if (dot == NULL || strchr(dot + 1, '.') != NULL) {
		*why = "the record is malformed";
		return -1;
	}
	size_t p64len = (size_t)(dot - (rec + 3));
	unsigned char *p = arena_alloc(a, p64len + 1);
	size_t plen, slen;
	if (sodium_base642bin(p, p64len + 1, rec + 3, p64len, NULL, &plen, NULL, B64) != 0 ||
	    sodium_base642bin(sig, crypto_sign_BYTES, dot + 1, strlen(dot + 1), NULL, &slen, NULL, B64) != 0 ||
	    slen != crypto_sign_BYTES) {
		*why = "the record is malformed";
		return -1;
	}
	p[plen] = '\0';
	/* number|name|qualification|date|key: only the name is free text, so the other
	 * fields are taken from both ends and whatever remains is the name. */
	char *copy = arena_strndup(a, (const char *)p, plen);
	char *first = strchr(copy, '|'), *fields[5];
	char *last3[3];
	char *end = copy + strlen(copy);
	for (int i = 0; i < 3; i++) {
		char *bar = NULL;
		for (char *q = end; q > copy; q--)
			if (q[-1] == '|') {
				bar = q - 1;
				break;
			}
		if (bar == NULL || first == NULL || bar <= first) {
			*why = "the record is malformed";
			return -1;
		}
		*bar = '\0';
		last3[i] = bar + 1;
		end = bar;
	}
	*first = '\0';
	fields[0] = copy;
	fields[1] = first + 1;
	fields[2] = last3[2];
	fields[3] = last3[1];
	fields[4] = last3[0];
	out->number = fields[0];
	out->name = fields[1];
	out->qualification = fields[2];
	out->date = fields[3];
	out->key_id = fields[4];
	*payload = p;
	*payload_len = plen;
	return 0;
}

int qr_record_valid(const unsigned char *payload, size_t payload_len,
    const unsigned char sig[crypto_sign_BYTES], const unsigned char pk[crypto_sign_PUBLICKEYBYTES])
{
	return crypto_sign_verify_detached(sig, payload, payload_len, pk) == 0;
}
