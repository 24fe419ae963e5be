/* esonr-signer: the only process of the stack that can read the certificate signing key.
 * It signs only what the database says is being issued: a certificate recorded, not yet
 * signed, neither revoked nor superseded. It draws the PDF itself from the register, so a
 * worker can ask for a certificate to be signed but cannot choose what gets signed.
 *
 * Start-up story: read the configuration → open the socket the workers ask on → fork the
 * child that serves; the parent restarts a child that dies, and stops it on SIGTERM. The
 * child answers one request at a time (ISSUE NUMBER, see sign/signer_client.h) and, every
 * few seconds, signs what was left unsigned (the signer was down, or a request was lost). */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/config.h"
#include "core/daemon.h"
#include "db/certificate_issue.h"
#include "db/db.h"
#include "domain/valid.h"

#define SWEEP_SECONDS 2
#define REQUEST_TIMEOUT_MS 5000
#define STOP_GRACE_SECONDS 20 /* a certificate being signed takes well under a second */

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* One certificate: the answer line (without its newline). */
static const char *sign_one(struct arena *a, const char *number)
{
	struct refusal ref = { 0 };
	int done = 0;
	enum db_status st = certificate_sign_recorded(a, number, &done, &ref);
	if (st == DB_OK)
		return done ? "DONE" : "OK";
	if (st == DB_REFUSED && ref.text != NULL)
		return arena_printf(a, "NO %s", ref.text);
	return st == DB_UNAVAILABLE ? "NO the database is not reachable" : "NO a database error";
}

static void serve(struct arena *a, int listener)
{
	int fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	char line[128];
	size_t got = 0;
	/* One short line; a client that dawdles is dropped, never waited for. */
	while (got < sizeof line - 1 && memchr(line, '\n', got) == NULL) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, REQUEST_TIMEOUT_MS) <= 0)
			break;
		ssize_t r = recv(fd, line + got, sizeof line - 1 - got, 0);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	line[got] = '\0';
	char *nl = strchr(line, '\n');
	const char *answer;
	if (nl == NULL || strncmp(line, "ISSUE ", 6) != 0) {
		answer = "NO malformed request";
	} else {
		*nl = '\0';
		answer = valid_cert_number(line + 6) ? sign_one(a, line + 6) : "NO not a certificate number";
		fprintf(stderr, "signer: %s: %s\n", line + 6, answer);
	}
	char out[600];
	int n = snprintf(out, sizeof out, "%s\n", answer);
	if (n > 0)
		(void)send(fd, out, (size_t)n < sizeof out ? (size_t)n : sizeof out - 1, MSG_NOSIGNAL);
	close(fd);
}

/* What was recorded but left unsigned. One line in the log per change of reason. */
static void sweep(struct arena *a)
{
	static char last[256];
	const char **numbers;
	int n;
	if (certificate_unsigned(a, NULL, NULL, 50, &numbers, &n) != DB_OK)
		return;
	for (int i = 0; i < n; i++) {
		const char *answer = sign_one(a, numbers[i]);
		if (strcmp(answer, "OK") == 0 || strcmp(answer, last) != 0)
			fprintf(stderr, "signer: pending %s: %s\n", numbers[i], answer);
		snprintf(last, sizeof last, "%s", strcmp(answer, "OK") == 0 ? "" : answer);
	}
}

static int child_run(const struct config *cfg, int listener)
{
	signal(SIGTERM, on_stop);
	signal(SIGPIPE, SIG_IGN);
	certificates_configure(cfg->base_url, cfg->keys, NULL, NULL);
	certificates_configure_pades(cfg->pades_cert, cfg->pades_key, cfg->pades_chain, cfg->pades_pkcs12,
	    cfg->pades_pkcs12_password);
	db_configure(cfg->db_signer);
	db_log_errors(1);
	struct arena *a = arena_new();
	time_t next_sweep = 0;
	while (!stop_requested) {
		struct pollfd p = { .fd = listener, .events = POLLIN };
		int ready = poll(&p, 1, SWEEP_SECONDS * 1000);
		if (ready > 0) {
			(void)db_ensure(); /* when PostgreSQL is away, the answer says so */
			serve(a, listener);
		}
		if (time(NULL) >= next_sweep && db_ensure() == 0) {
			sweep(a);
			next_sweep = time(NULL) + SWEEP_SECONDS;
		}
		arena_reset(a);
	}
	arena_free(a);
	db_close();
	return 0;
}

struct child {
	const struct config *cfg;
	int listener;
};

static pid_t spawn_child(int slot, void *arg)
{
	const struct child *c = arg;
	(void)slot;
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGINT, SIG_IGN);
		_exit(child_run(c->cfg, c->listener));
	}
	if (pid < 0)
		perror("signer: fork");
	return pid;
}

static int open_socket(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof addr.sun_path) {
		fprintf(stderr, "signer: socket path too long: %s\n", path);
		return -1;
	}
	memcpy(addr.sun_path, path, strlen(path) + 1);
	unlink(path); /* a stale socket of a previous run */
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	/* The workers ask through the socket's group (scripts/stack.sh makes the folder setgid
	 * to the workers' group); nobody else may. */
	mode_t old = umask(0117);
	int ok = fd >= 0 && bind(fd, (struct sockaddr *)&addr, sizeof addr) == 0 && listen(fd, 64) == 0;
	umask(old);
	if (!ok || chmod(path, 0660) != 0) {
		fprintf(stderr, "signer: cannot listen on %s: %s\n", path, strerror(errno));
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	struct config cfg;
	int rc = daemon_start(argc, argv, "signer", &cfg);
	if (rc != 0)
		return rc;
	if (sodium_init() < 0) {
		fprintf(stderr, "signer: libsodium failed to initialise\n");
		return 1;
	}
	int listener = open_socket(cfg.signer_socket);
	if (listener < 0)
		return 1;

	daemon_signals(on_stop);
	fprintf(stderr, "signer: listening on %s\n", cfg.signer_socket);

	struct child c = { &cfg, listener };
	static struct daemon_pool pool = { .name = "signer", .what = "child", .n = 1, .start = spawn_child };
	pool.arg = &c;
	daemon_supervise(&pool, &stop_requested, STOP_GRACE_SECONDS);
	unlink(cfg.signer_socket);
	fprintf(stderr, "signer: stopped\n");
	return 0;
}
