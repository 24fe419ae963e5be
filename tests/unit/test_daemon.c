/* core/daemon.c's supervisor: a child that dies is started again; on the stop signal every
 * child is stopped, and one that ignores SIGTERM is killed after the grace. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "core/daemon.h"

static volatile sig_atomic_t stop;
static int report_fd; /* each child writes its slot and pid here when it starts */

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

struct started {
	int slot;
	pid_t pid;
};

/* Slot 1 ignores SIGTERM, like a child stuck in a long call. */
static pid_t start(int slot, void *arg)
{
	(void)arg;
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGTERM, slot == 1 ? SIG_IGN : SIG_DFL);
		struct started s = { slot, getpid() };
		if (write(report_fd, &s, sizeof s) != (ssize_t)sizeof s)
			_exit(3);
		for (;;)
			pause();
	}
	return pid;
}

/* The next start reported, or slot -1 after a few seconds. */
static struct started next_start(int fd)
{
	struct started s = { -1, 0 };
	fd_set in;
	struct timeval tv = { 5, 0 };
	FD_ZERO(&in);
	FD_SET(fd, &in);
	if (select(fd + 1, &in, NULL, NULL, &tv) == 1 && read(fd, &s, sizeof s) != (ssize_t)sizeof s)
		s.slot = -1;
	return s;
}

static int gone(pid_t pid)
{
	return kill(pid, 0) != 0 && errno == ESRCH;
}

int main(void)
{
	int p[2];
	if (pipe(p) != 0)
		return 1;
	report_fd = p[1];
	pid_t supervisor = fork();
	if (supervisor == 0) {
		close(p[0]);
		daemon_signals(on_stop);
		static struct daemon_pool pool = { .name = "test", .what = "child", .n = 2, .start = start };
		daemon_supervise(&pool, &stop, 1);
		_exit(0);
	}
	close(p[1]);

	pid_t first[2] = { 0, 0 };
	for (int i = 0; i < 2; i++) {
		struct started s = next_start(p[0]);
		if (s.slot == 0 || s.slot == 1)
			first[s.slot] = s.pid;
	}
	CHECK(first[0] > 0 && first[1] > 0, "both children of the pool are started");

	kill(first[0], SIGKILL);
	struct started again = next_start(p[0]);
	CHECK(again.slot == 0 && again.pid != first[0], "a child that dies is started again, in its slot");

	time_t t0 = time(NULL);
	kill(supervisor, SIGTERM);
	int status = -1;
	waitpid(supervisor, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "on SIGTERM the supervisor returns");
	CHECK(gone(again.pid) && gone(first[1]), "and no child of its is left running");
	CHECK(time(NULL) - t0 <= 4, "a child that ignores SIGTERM is killed once the grace is over");
	CHECK(next_start(p[0]).slot == -1, "nothing is started after the stop");
	CHECK_DONE();
}
