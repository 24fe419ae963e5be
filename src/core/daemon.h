/* Start-up shared by the stack's long-lived programs (portal, signer, mailer). */
#ifndef ESONR_DAEMON_H
#define ESONR_DAEMON_H
#include <signal.h>
#include <sys/types.h>
#include "core/config.h"

/* Reads the only option, [--var DIR], and $VAR/esonr.conf. 0, or the exit status after a
 * one-line message on stderr: 2 for bad arguments, 1 for an unreadable configuration.
 * name is the program's log prefix ("signer"): the usage line names esonr-NAME. */
int daemon_start(int argc, char **argv, const char *name, struct config *cfg);

/* SIGTERM and SIGINT call on_stop (which only sets a flag), without SA_RESTART so that a
 * blocking call (accept, waitpid) returns to let the caller stop; SIGPIPE is ignored, so that
 * a peer that hangs up is an error return, not the end of the process. */
void daemon_signals(void (*on_stop)(int));
/* The children a long-lived program keeps alive: the portal's workers, the signer's and the
 * mailer's one child each. */
#define DAEMON_POOL_MAX 256

struct daemon_pool {
	const char *name;                   /* the program's log prefix: "portal" */
	const char *what;                   /* what a child is, for the log: "worker" */
	int n;                              /* children, at most DAEMON_POOL_MAX */
	pid_t (*start)(int slot, void *arg); /* forks the child of slot: its pid, or -1 */
	void *arg;
	pid_t pids[DAEMON_POOL_MAX];        /* 0: not running */
	volatile sig_atomic_t *stop;        /* set by daemon_supervise */
};

/* Starts the pool's children and starts again each one that ends, until *stop is set (by
 * the handler given to daemon_signals); children that die at once again and again are
 * started at most once a second. Then stops them: SIGTERM, and SIGKILL for those still
 * running after grace_seconds. */
void daemon_supervise(struct daemon_pool *p, volatile sig_atomic_t *stop, int grace_seconds);
#endif
