/* Request handlers, one file per audience: parse and validate → domain/database → render. */
#ifndef ESONR_HANDLERS_H
#define ESONR_HANDLERS_H
#include "db/db.h"
#include "web/http.h"

/* h_public.c */
void page_home(struct request *req);

/* h_account.c */
void page_register(struct request *req);
void post_register(struct request *req);
void page_login(struct request *req);
void post_login(struct request *req);
void post_logout(struct request *req);

/* h_dashboard.c */
void page_dashboard(struct request *req);

/* h_candidate.c */

/* h_admin.c */

/* Answers a failed database call: 503 when PostgreSQL is away, 500 otherwise. */
void fail_db(struct request *req, enum db_status st);

#endif
