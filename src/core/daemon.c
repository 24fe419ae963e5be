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

void daemon_supervise(struct daemon_pool *p, volatile sig_atomic_t *stop, int grace_seconds)
{
	for (int i = 0; i < p->n; i++)
		p->pids[i] = p->start(i, p->arg);
	time_t last_start = time(NULL);
	while (!*stop) {
		for (int i = 0; i < p->n && !*stop; i++) {
			if (p->pids[i] > 0)
				continue;
			/* A child that dies at once again and again must not spin the CPU. */
			if (time(NULL) - last_start < 1)
				sleep(1);
			last_start = time(NULL);
			if (!*stop)
				p->pids[i] = p->start(i, p->arg);
		}
		int status;
		pid_t pid = waitpid(-1, &status, 0);
		if (pid < 0) {
			if (errno != EINTR)
				sleep(1); /* no child at all: a fork failed; try again */
			continue;
		}
		for (int i = 0; i < p->n; i++) {
			if (p->pids[i] != pid)
				continue;
			p->pids[i] = 0;
			if (!*stop)
				fprintf(stderr, "%s: %s %d ended (%s %d), starting another\n", p->name, p->what,
				    (int)pid, WIFSIGNALED(status) ? "signal" : "status",
				    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		}
	}
	stop_children(p, grace_seconds);
}
