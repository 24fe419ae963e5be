#include "web/worker.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/password.h"
#include "auth/rate.h"
#include "auth/websession.h"
#include "core/daemon.h"
#include "db/audit_anchor.h"
#include "db/certificate_issue.h"
#include "db/certificates.h"
#include "sign/signer_client.h"
#include "db/db.h"
#include "web/handlers.h"
#include "web/routes.h"

static volatile sig_atomic_t stopping;

static void on_term(int sig)
{
	(void)sig;
	stopping = 1;
	FCGX_ShutdownPending();
}

static int trace_handlers; /* ESONR_TRACE_HANDLERS=1: one log line per request handled */

/* The page for a request already read, on its session as use allows; the route it was
 * handed to, if any. */
static const char *serve(struct request *req, enum websession_use use)
{
	db_set_websession(NULL); /* nobody's, until the session found says who is signed in */
	enum db_status st = http_websession_load(req, use);
	if (st != DB_OK) {
		fail_db(req, st);
		return NULL;
	}

	const struct route *route = NULL;
	switch (route_match(req, &route)) {
	case ROUTE_NOT_FOUND:
		http_error(req, 404, "There is no page at this address.");
		return NULL;
	case ROUTE_BAD_METHOD:
		http_header(req, "Allow", route_allowed(req)); /* RFC 9110: a 405 says what is allowed */
		http_error(req, 405, "This address does not accept that kind of request.");
		return NULL;
	case ROUTE_FOUND:
		break;
	}
	/* Sign-ups, password resets and uploads are limited per address (auth/rate.h). */
	int retry_after = 0;
	if ((st = rate_hit(req->arena, rate_action_of(req->method, req->path), req->remote_addr,
	    &retry_after)) != DB_OK) {
		fail_db(req, st);
		return NULL;
	}
	if (retry_after > 0) {
		http_header(req, "Retry-After", arena_printf(req->arena, "%d", retry_after));
		http_error(req, 429, "Too many attempts from your network: please try again later.");
		return NULL;
	}
	if (route->roles != ROLES_PUBLIC) {
		if (req->user == NULL) {
			http_redirect(req, "/login");
			return NULL;
		}
		if ((route->roles & req->user->role) == 0) {
			http_error(req, 403, "Your account does not give access to this page.");
			return NULL;
		}
	}
	if (strcmp(req->method, "POST") == 0 && !http_csrf_ok(req)) {
		http_error(req, 403, "This form has expired or did not come from this site. "
		    "Go back, reload the page and send it again.");
		return NULL;
	}
	if (strcmp(req->method, "POST") == 0)
		form_apply(req->arena, route->form, &req->form, &req->in);
	route->handler(req);
	return route->pattern;
}

static void dispatch(struct request *req)
{
	const char *why = NULL;
	int status = http_read(req, &why);
	if (status != 0) {
		http_error(req, status, why);
		return;
	}
	if (db_ensure() != 0) {
		fail_db(req, DB_UNAVAILABLE);
		return;
	}
	/* A page that only reads may start on the session this worker remembers; the database
	 * confirms it in the page's own round trip (or alone, at the end, for a page that reads
	 * nothing). If it no longer holds, what was made of it is thrown away unseen and the page
	 * is served again from the database. */
	enum websession_use use = strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0 ?
	    WEBSESSION_READ : WEBSESSION_WRITE;
	const char *handled = serve(req, use);
	enum db_status st = db_confirm(req->arena);
	db_assume(NULL);
	if (st == DB_STALE) {
		/* make security-scan counts this pass too: a handler ran, on a session that had ended. */
		if (trace_handlers && handled != NULL)
			fprintf(stderr, "handler: %s %s (remembered session no longer held: served again)\n",
			    req->method, handled);
		http_reset(req);
		use = WEBSESSION_READ_FRESH;
		handled = serve(req, use);
	} else if (st != DB_OK) {
		http_reset(req);
		handled = NULL;
		fail_db(req, st);
	}
	(void)websession_finish(req->arena, use); /* a missed touch is retried on the next page */
	/* make security-scan counts how many of its requests got past the gates to a handler. */
	if (trace_handlers && handled != NULL)
		fprintf(stderr, "handler: %s %s\n", req->method, handled);
}

int worker_run(const struct config *cfg, int listen_fd)
{
	/* No SA_RESTART (daemon_signals): a worker waiting in accept() must wake up to stop. */
	daemon_signals(on_term);

	password_configure(cfg->password_test_cost);
	if (password_init() != 0) {
		fprintf(stderr, "worker: libsodium failed to initialise\n");
		return 1;
	}
	db_configure(cfg->db);
	rate_configure(cfg->limit_register, cfg->limit_password, cfg->limit_verify);
	trace_handlers = getenv("ESONR_TRACE_HANDLERS") != NULL && strcmp(getenv("ESONR_TRACE_HANDLERS"), "1") == 0;
	certificates_configure(cfg->base_url, cfg->keys, NULL, NULL);
	{
		char anchors[600];
		snprintf(anchors, sizeof anchors, "%s/anchor", cfg->var);
		audit_anchor_configure(anchors);
	}
	signer_configure(cfg->signer_socket);
	(void)db_ensure(); /* a database that is down now is retried per request */

	FCGX_Request fcgi;
	if (FCGX_InitRequest(&fcgi, listen_fd, 0) != 0)
		return 1;
	struct arena *arena = arena_new();

	/* SIGTERM is held back while a request is in flight, so that it always completes. */
	sigset_t term;
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	while (!stopping) {
		if (FCGX_Accept_r(&fcgi) < 0)
			break;
		sigprocmask(SIG_BLOCK, &term, NULL);
		struct request req;
		memset(&req, 0, sizeof req);
		req.arena = arena;
		req.fcgi = &fcgi;
		dispatch(&req);
		if (http_send(&req)) {
			fcgi.detached = 1; /* answered and ended: a plain close, no lingering shutdown */
			FCGX_Free(&fcgi, 1);
		} else {
			FCGX_Finish_r(&fcgi);
		}
		arena_reset(arena);
		sigprocmask(SIG_UNBLOCK, &term, NULL);
	}
	arena_free(arena);
	db_close();
	return 0;
}
