#include "core/daemon.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

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
