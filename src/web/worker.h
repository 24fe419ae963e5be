/* One worker process: accepts FastCGI requests on the shared socket, one at a time. */
#ifndef ESONR_WORKER_H
#define ESONR_WORKER_H
#include "core/config.h"

/* Returns when asked to stop (SIGTERM) after finishing the request in flight. */
int worker_run(const struct config *cfg, int listen_fd);

#endif
