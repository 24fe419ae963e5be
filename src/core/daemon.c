#include "core/daemon.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int daemon_start(int argc, char **argv, const char *name, struct config *cfg)
{
	const char *var = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--var") == 0 && i + 1 < argc) {
			var = argv[++i];
		} else {
			fprintf(stderr, "usage: esonr-%s [--var DIR]\n", name);
			return 2;
		}
	}
	char err[512];
	if (config_load(cfg, var, err, sizeof err) != 0) {
		fprintf(stderr, "%s: %s\n", name, err);
		return 1;
	}
	return 0;
}

void daemon_signals(void (*on_stop)(int))
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static int running(const struct daemon_pool *p)
{
	int n = 0;
	for (int i = 0; i < p->n; i++)
		n += p->pids[i] > 0;
	return n;
}

static void signal_all(const struct daemon_pool *p, int sig)
{
	for (int i = 0; i < p->n; i++)
		if (p->pids[i] > 0)
			kill(p->pids[i], sig);
}

static void stop_children(struct daemon_pool *p, int grace_seconds)
{
	signal_all(p, SIGTERM);
	time_t deadline = time(NULL) + grace_seconds;
	while (running(p) > 0 && time(NULL) < deadline) {
		pid_t pid = waitpid(-1, NULL, WNOHANG);
		if (pid > 0) {
			for (int i = 0; i < p->n; i++)
				if (p->pids[i] == pid)
					p->pids[i] = 0;
			continue;
		}
		if (pid < 0 && errno == ECHILD)
			break;
		/* A child may have been about to block (in accept()) when the first signal came. */
		signal_all(p, SIGTERM);
		usleep(100 * 1000);
	}
	for (int i = 0; i < p->n; i++)
		if (p->pids[i] > 0) {
			fprintf(stderr, "%s: %s %d did not stop, killing it\n", p->name, p->what, (int)p->pids[i]);
			kill(p->pids[i], SIGKILL);
			waitpid(p->pids[i], NULL, 0);
			p->pids[i] = 0;
		}
}

static void on_child(int sig)
{
	(void)sig; /* only wakes sigsuspend() up */
}

/* Starts the child of slot with the signals as they were, so that it inherits no blocked
 * mask and a stop signal during the fork (or the pause before it) is seen at once. */
static void start_slot(struct daemon_pool *p, int i, const sigset_t *unblocked, const sigset_t *blocked,
    time_t *last_start)
{
	sigprocmask(SIG_SETMASK, unblocked, NULL);
	/* A child that dies at once again and again must not spin the CPU. */
	if (*last_start != 0 && time(NULL) - *last_start < 1)
		sleep(1);
	*last_start = time(NULL);
	p->pids[i] = 0;
	if (!*p->stop)
		p->pids[i] = p->start(i, p->arg);
	sigprocmask(SIG_SETMASK, blocked, NULL);
}

void daemon_supervise(struct daemon_pool *p, volatile sig_atomic_t *stop, int grace_seconds)
{
	/* The stop signals and SIGCHLD stay blocked except inside sigsuspend(), which waits for
	 * either atomically: a stop that comes just before the wait is never missed. */
	sigset_t blocked, unblocked;
	struct sigaction sa, old_chld;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_child;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, &old_chld);
	sigemptyset(&blocked);
	sigaddset(&blocked, SIGTERM);
	sigaddset(&blocked, SIGINT);
	sigaddset(&blocked, SIGCHLD);
	sigprocmask(SIG_BLOCK, &blocked, &unblocked);
	sigprocmask(SIG_BLOCK, NULL, &blocked);
	p->stop = stop;

	time_t last_start = 0;
	for (int i = 0; i < p->n; i++) {
		last_start = 0; /* the first start of every slot at once */
		start_slot(p, i, &unblocked, &blocked, &last_start);
	}
	while (!*stop) {
		int status, changed = 0;
		pid_t pid;
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
			for (int i = 0; i < p->n; i++) {
				if (p->pids[i] != pid)
					continue;
				p->pids[i] = 0;
				changed = 1;
				if (!*stop)
					fprintf(stderr, "%s: %s %d ended (%s %d), starting another\n", p->name, p->what,
					    (int)pid, WIFSIGNALED(status) ? "signal" : "status",
					    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
			}
		int missing = 0;
		for (int i = 0; i < p->n && !*stop; i++)
			if (p->pids[i] <= 0) {
				start_slot(p, i, &unblocked, &blocked, &last_start);
				missing += p->pids[i] <= 0;
				changed = 1;
			}
		if (*stop)
			break;
		if (missing > 0) {
			/* A fork failed: try again in a second (the signals may end the wait). */
			sigprocmask(SIG_SETMASK, &unblocked, NULL);
			sleep(1);
			sigprocmask(SIG_SETMASK, &blocked, NULL);
			continue;
		}
		/* The signals were open while children started: look again before waiting, or an
		 * end signalled then would wait for the next signal. */
		if (changed)
			continue;
		sigsuspend(&unblocked); /* a child ended, or a stop signal came */
	}
	sigprocmask(SIG_SETMASK, &unblocked, NULL);
	sigaction(SIGCHLD, &old_chld, NULL);
	stop_children(p, grace_seconds);
}
