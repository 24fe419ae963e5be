/* Start-up shared by the stack's long-lived programs (portal, signer, mailer). */
#ifndef ESONR_DAEMON_H
#define ESONR_DAEMON_H
#include "core/config.h"

/* Reads the only option, [--var DIR], and $VAR/esonr.conf. 0, or the exit status after a
 * one-line message on stderr: 2 for bad arguments, 1 for an unreadable configuration.
 * name is the program's log prefix ("signer"): the usage line names esonr-NAME. */
int daemon_start(int argc, char **argv, const char *name, struct config *cfg);

/* SIGTERM and SIGINT call on_stop (which only sets a flag); SIGPIPE is ignored, so that a
 * peer that hangs up is an error return, not the end of the process. */
void daemon_signals(void (*on_stop)(int));
#endif
