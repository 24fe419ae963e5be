#include "core/config.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int truncated;

/* Paths that do not fit are an error at start-up, never a silently shortened path. */
static void copy(char *dst, size_t cap, const char *src)
{
	if (snprintf(dst, cap, "%s", src) >= (int)cap)
		truncated = 1;
}

static void under(char *dst, size_t cap, const char *dir, const char *rest)
{
	if (snprintf(dst, cap, "%s%s", dir, rest) >= (int)cap)
		truncated = 1;
}

/* The installation root: the nearest folder above our binary that holds sql/ and
 * templates/ (bin/.. normally; further up for binaries built under build/). */
static void find_root(char *root, size_t cap)
{
	char exe[PATH_MAX], probe[PATH_MAX + 16];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0) {
		copy(root, cap, ".");
		return;
	}
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (slash != NULL)
		*slash = '\0';	/* the binary's folder */
	for (int up = 0; up < 4 && (slash = strrchr(exe, '/')) != NULL; up++) {
		*slash = '\0';
		snprintf(probe, sizeof probe, "%s/sql", exe[0] ? exe : "");
		struct stat sb;
		if (stat(probe, &sb) == 0 && S_ISDIR(sb.st_mode)) {
			copy(root, cap, exe[0] ? exe : "/");
			return;
		}
	}
	/* Not found: bin/.. as installed, so that the error names the expected place. */
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	exe[n > 0 ? n : 0] = '\0';
	for (int i = 0; i < 2 && (slash = strrchr(exe, '/')) != NULL; i++)
		*slash = '\0';
	copy(root, cap, exe[0] ? exe : "/");
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int set_key(struct config *c, const char *key, const char *val)
{
	static const struct { const char *key; size_t off; size_t cap; } keys[] = {
#define K(name, field) { name, offsetof(struct config, field), sizeof(((struct config *)0)->field) }
		K("db", db), K("db_admin", db_admin), K("base_url", base_url),
		K("socket", socket), K("auth_socket", auth_socket), K("templates", templates),
		K("static", static_dir),
		K("sql", sql_dir), K("keys", keys),
		K("db_signer", db_signer), K("signer_socket", signer_socket),
		K("pades_cert", pades_cert), K("pades_key", pades_key), K("pades_chain", pades_chain),
		K("pades_pkcs12", pades_pkcs12), K("pades_pkcs12_password", pades_pkcs12_password),
		K("smtp_url", smtp_url), K("mail_from", mail_from), K("smtp_user", smtp_user),
		K("smtp_password", smtp_password), K("mail_sink", mail_sink),
#undef K
	};
	static const struct { const char *key; size_t off; long max; } ints[] = {
		{ "limit_register", offsetof(struct config, limit_register), 1000000 },
		{ "limit_password", offsetof(struct config, limit_password), 1000000 },
		{ "limit_verify", offsetof(struct config, limit_verify), 1000000 },
	};
	for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
		if (strcmp(key, ints[i].key) == 0) {
			char *end;
			long v = strtol(val, &end, 10);
			if (*val == '\0' || *end != '\0' || v < 1 || v > ints[i].max)
				return -1;
			*(int *)((char *)c + ints[i].off) = (int)v;
			return 0;
		}
	if (strcmp(key, "password_cost") == 0) {
		if (strcmp(val, "standard") != 0 && strcmp(val, "test") != 0)
			return -1;
		c->password_test_cost = strcmp(val, "test") == 0;
		return 0;
	}
	if (strcmp(key, "workers") == 0 || strcmp(key, "auth_workers") == 0) {
		char *end;
		long w = strtol(val, &end, 10);
		if (*end != '\0' || w < 1 || w > 256)
			return -1;
		*(key[0] == 'a' ? &c->auth_workers : &c->workers) = (int)w;
		return 0;
	}
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (strcmp(key, keys[i].key) == 0) {
			copy((char *)c + keys[i].off, keys[i].cap, val);
			return 0;
		}
	return -1;
}

static int read_file(struct config *c, const char *path, char *err, int errlen)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return errno == ENOENT ? 0 : (snprintf(err, errlen, "%s: %s", path, strerror(errno)), -1);
	char line[1024];
	int lineno = 0;
	while (fgets(line, sizeof line, f) != NULL) {
		lineno++;
		char *s = trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		char *eq = strchr(s, '=');
		if (eq == NULL) {
			snprintf(err, errlen, "%s:%d: expected key = value", path, lineno);
			fclose(f);
			return -1;
		}
		*eq = '\0';
		if (set_key(c, trim(s), trim(eq + 1)) != 0) {
			snprintf(err, errlen, "%s:%d: unknown key or bad value '%s'", path, lineno, trim(s));
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return 0;
}

int config_load(struct config *c, const char *var, char *err, int errlen)
{
	memset(c, 0, sizeof *c);
	truncated = 0;
	if (var == NULL)
		var = getenv("ESONR_VAR");
	if (var == NULL)
		var = "./var";
	char abs[PATH_MAX];
	if (realpath(var, abs) != NULL)
		var = abs;
	copy(c->var, sizeof c->var, var);
	find_root(c->root, sizeof c->root);

	char host[600];
	under(host, sizeof host, "host=", c->var);
	under(c->db, sizeof c->db, host, "/pg/socket dbname=esonr user=esonr_app");
	under(c->db_admin, sizeof c->db_admin, host, "/pg/socket dbname=esonr user=postgres");
	copy(c->base_url, sizeof c->base_url, "http://127.0.0.1:8080");
	under(c->socket, sizeof c->socket, c->var, "/run/portal.sock");
	under(c->auth_socket, sizeof c->auth_socket, c->var, "/run/portal-auth.sock");
	under(c->templates, sizeof c->templates, c->root, "/templates");
	under(c->static_dir, sizeof c->static_dir, c->root, "/static");
	under(c->sql_dir, sizeof c->sql_dir, c->root, "/sql");
	under(c->keys, sizeof c->keys, c->var, "/keys");
	under(c->db_signer, sizeof c->db_signer, host, "/pg/socket dbname=esonr user=esonr_signer");
	under(c->signer_socket, sizeof c->signer_socket, c->var, "/signer/signer.sock");
	copy(c->mail_from, sizeof c->mail_from, "ESoNR portal <noreply@esonr-portal.invalid>");
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	c->workers = cores > 0 ? (int)(2 * cores) : 2;
	/* One hash at a time per core at most, so that pages always keep CPU (they also run
	 * at a higher priority than the pool, see src/portal/main.c). */
	c->auth_workers = cores > 0 ? (int)cores : 1;
	/* A hospital's residents signing up together from behind one NAT stay well under these;
	 * a script (2,517 sign-ups in 150 s was measured) is stopped after them. */
	c->limit_register = 30;
	c->limit_password = 30;
	c->limit_verify = 300;

	char path[PATH_MAX];
	under(path, sizeof path, c->var, "/esonr.conf");
	if (read_file(c, path, err, errlen) != 0)
		return -1;

	static const struct { const char *env, *key; } envs[] = {
		{ "ESONR_DB", "db" }, { "ESONR_DB_ADMIN", "db_admin" },
		{ "ESONR_BASE_URL", "base_url" }, { "ESONR_SOCKET", "socket" },
		{ "ESONR_TEMPLATES", "templates" }, { "ESONR_STATIC", "static" },
		{ "ESONR_SQL", "sql" }, { "ESONR_KEYS", "keys" }, { "ESONR_WORKERS", "workers" },
		{ "ESONR_DB_SIGNER", "db_signer" }, { "ESONR_SIGNER_SOCKET", "signer_socket" },
		{ "ESONR_PADES_CERT", "pades_cert" }, { "ESONR_PADES_KEY", "pades_key" },
		{ "ESONR_PADES_CHAIN", "pades_chain" }, { "ESONR_PADES_PKCS12", "pades_pkcs12" },
		{ "ESONR_PADES_PKCS12_PASSWORD", "pades_pkcs12_password" },
		{ "ESONR_AUTH_WORKERS", "auth_workers" }, { "ESONR_AUTH_SOCKET", "auth_socket" },
		{ "ESONR_LIMIT_REGISTER", "limit_register" }, { "ESONR_LIMIT_PASSWORD", "limit_password" },
		{ "ESONR_LIMIT_VERIFY", "limit_verify" },
		{ "ESONR_SMTP_URL", "smtp_url" }, { "ESONR_MAIL_FROM", "mail_from" },
		{ "ESONR_SMTP_USER", "smtp_user" }, { "ESONR_SMTP_PASSWORD", "smtp_password" },
		{ "ESONR_MAIL_SINK", "mail_sink" }, { "ESONR_PASSWORD_COST", "password_cost" },
	};
	for (size_t i = 0; i < sizeof envs / sizeof envs[0]; i++) {
		const char *v = getenv(envs[i].env);
		if (v != NULL && set_key(c, envs[i].key, v) != 0) {
			snprintf(err, errlen, "%s: bad value", envs[i].env);
			return -1;
		}
	}
	if (truncated) {
		snprintf(err, errlen, "a configured path is too long");
		return -1;
	}
	return 0;
}
