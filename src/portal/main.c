/* esonr-portal: opens the FastCGI sockets, forks the workers, keeps them alive, and
 * stops them gracefully on SIGTERM. Two pools: the page workers on the main socket, and a
 * few password-hashing workers on a socket of their own that nginx uses for the routes
 * that run Argon2id (logins, registrations, password resets). The pool's short queue and
 * lower priority keep a login flood from slowing every other page: beyond the queue nginx
 * answers 503 with Retry-After. */
#include <errno.h>
#include <fcgiapp.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "auth/websession.h"
#include "core/config.h"
#include "core/daemon.h"
#include "core/template.h"
#include "web/routes.h"
#include "web/worker.h"

#define STOP_GRACE_SECONDS 20
#define LISTEN_QUEUE 4096
/* Logins waiting for the hashing pool: at ~30 ms a hash on each of its workers, a burst of
 * 64 (an exam's booking opening) waits about a second at most; beyond, 503 Retry-After. */
#define AUTH_QUEUE 64
/* The pool yields the CPU to page workers when both want it. */
#define AUTH_NICE 10

static volatile sig_atomic_t stop_requested;
static int worker_fd[DAEMON_POOL_MAX];   /* the socket each worker slot serves */
static int worker_nice[DAEMON_POOL_MAX]; /* its priority (nice increment) */

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static pid_t spawn_worker(int slot, void *cfg)
{
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGCHLD, SIG_DFL);
		if (worker_nice[slot] != 0 && setpriority(PRIO_PROCESS, 0, worker_nice[slot]) != 0)
			perror("portal: setpriority");
		_exit(worker_run(cfg, worker_fd[slot]));
	}
	if (pid < 0)
		perror("portal: fork");
	return pid;
}

/* Listens on path (a stale socket of a previous run is replaced); -1 on failure. */
static int open_socket(const char *path, int queue, struct stat *bound)
{
	unlink(path);
	int fd = FCGX_OpenSocket(path, queue);
	if (fd < 0) {
		fprintf(stderr, "portal: cannot listen on %s: %s\n", path, strerror(errno));
		return -1;
	}
	/* nginx's user connects through the socket's group (scripts/stack.sh makes the folder
	 * setgid to that group); nobody else may. */
	if (chmod(path, 0660) != 0 || stat(path, bound) != 0) {
		fprintf(stderr, "portal: chmod %s: %s\n", path, strerror(errno));
		return -1;
	}
	return fd;
}

/* Only our own socket: a portal started meanwhile may have bound a new one there. */
static void unlink_own(const char *path, const struct stat *bound)
{
	struct stat now;
	if (stat(path, &now) == 0 && now.st_ino == bound->st_ino && now.st_dev == bound->st_dev)
		unlink(path);
}

int main(int argc, char **argv)
{
	const char *var = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--var") == 0 && i + 1 < argc)
			var = argv[++i];
		else if (strcmp(argv[i], "--routes") == 0 && argc == 2) {
			/* The route table as the program holds it (tests/integration/test_authorization.py). */
			route_table_print(stdout);
			return fflush(stdout) == 0 ? 0 : 1;
		} else {
			fprintf(stderr, "usage: esonr-portal [--var DIR] | esonr-portal --routes\n");
			return 2;
		}
	}

	struct config cfg;
	char err[512];
	if (config_load(&cfg, var, err, sizeof err) != 0) {
		fprintf(stderr, "portal: %s\n", err);
		return 1;
	}
	if (template_load_dir(cfg.templates, err, sizeof err) != 0) {
		fprintf(stderr, "portal: templates: %s\n", err);
		return 1;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "portal: libsodium failed to initialise\n");
		return 1;
	}
	websession_init();
	if (FCGX_Init() != 0) {
		fprintf(stderr, "portal: FCGX_Init failed\n");
		return 1;
	}
	/* The main socket's queue must hold a booking rush (hundreds of candidates in the
	 * same second): beyond it nginx cannot connect and the visitor gets an error page. */
	struct stat auth_bound, bound;
	int auth_fd = open_socket(cfg.auth_socket, AUTH_QUEUE, &auth_bound);
	int fd = auth_fd < 0 ? -1 : open_socket(cfg.socket, LISTEN_QUEUE, &bound);
	if (fd < 0)
		return 1;

	daemon_signals(on_stop);

	static struct daemon_pool pool = { .name = "portal", .what = "worker", .start = spawn_worker };
	int pages = cfg.workers > DAEMON_POOL_MAX / 2 ? DAEMON_POOL_MAX / 2 : cfg.workers;
	int hashing = cfg.auth_workers > DAEMON_POOL_MAX / 2 ? DAEMON_POOL_MAX / 2 : cfg.auth_workers;
	pool.n = pages + hashing;
	pool.arg = &cfg;
	for (int i = 0; i < pool.n; i++) {
		worker_fd[i] = i < pages ? fd : auth_fd;
		worker_nice[i] = i < pages ? 0 : AUTH_NICE;
	}
	fprintf(stderr, "portal: %d workers on %s, %d password-hashing workers on %s\n", pages,
	    cfg.socket, hashing, cfg.auth_socket);
	daemon_supervise(&pool, &stop_requested, STOP_GRACE_SECONDS);
	fprintf(stderr, "portal: stopped its workers\n");
	unlink_own(cfg.socket, &bound);
	unlink_own(cfg.auth_socket, &auth_bound);
	template_unload();
	return 0;
}
