/* One-time links sent by mail: address confirmation and password reset. The token is 32
 * random bytes (64 hex digits in the link); only its BLAKE2b hash is stored; a link works
 * once and expires. Requests are throttled per account (links sent) and per client address
 * (requests made, whether or not the address has an account). */
#ifndef ESONR_MAIL_LINKS_H
#define ESONR_MAIL_LINKS_H
#include "db/db.h"

#define MAIL_LINK_RESET_SECONDS (60 * 60)
#define MAIL_LINK_CONFIRM_SECONDS (7 * 24 * 60 * 60)
#define MAIL_LINK_WINDOW_SECONDS (60 * 60)
#define MAIL_LINK_PER_EMAIL 3     /* links per hour for one account */
#define MAIL_LINK_PER_ADDRESS 20  /* requests per hour from one client address */

enum mail_link_purpose { MAIL_LINK_CONFIRM, MAIL_LINK_RESET };

/* 1 when s has the shape of a link's token (64 lower-case hex digits). */
int mail_link_token_shape(const char *s);

/* Inside the registration's transaction: the confirmation link and its mail. */
enum db_status mail_link_confirm_new(struct arena *a, const char *user_id);
/* "Send the link again" from the dashboard; *throttled when the hour's links are spent. */
enum db_status mail_link_confirm_resend(struct arena *a, const char *user_id, const char *address,
    int *throttled);
/* POST /password/forgot: one statement that records the request, the same whether or not
 * the address has an account. *address_throttled: this client asked too often (the only
 * answer that differs, and it does not depend on the account). */
enum db_status mail_link_reset_request(struct arena *a, const char *email, const char *address,
    int *address_throttled);
/* The sender's side: turns pending requests into links and mails, for addresses that have
 * an account and have not had MAIL_LINK_PER_EMAIL links in the last hour. *n: requests done. */
enum db_status mail_link_process_requests(struct arena *a, int *n);
/* *valid: the token is unused and unexpired. */
enum db_status mail_link_check(struct arena *a, enum mail_link_purpose p, const char *token,
    int *valid);
/* Confirms the address; *user_id of the account, or *valid 0. actor_id: who is signed in
 * in the browser that opened the link (NULL: nobody), as the audit log records it. */
enum db_status mail_link_confirm_use(struct arena *a, const char *token, const char *actor_id,
    int *valid, const char **user_id);
/* Sets the new password (already hashed), uses the link and every other reset link of the
 * account, ends all its sessions, audits (actor_id as above), and tells the holder by mail. */
enum db_status mail_link_reset_use(struct arena *a, const char *token, const char *password_hash,
    const char *actor_id, int *valid);

#endif
