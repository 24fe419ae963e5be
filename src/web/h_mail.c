/* Links sent by mail (password reset, address confirmation) and the office's outbox. */
#include <string.h>

#include "auth/password.h"
#include "web/http.h"
#include "db/mail_links.h"
#include "db/outbox.h"
#include "web/handlers.h"

/* A used, expired or unknown link: 410, and the way to ask for a new one. */
static void link_gone(struct request *req, int reset)
{
	struct tdict *d = http_page(req, "This link no longer works");
	tdict_set_bool(d, "reset", reset);
	http_render(req, 410, "link_gone", d);
}

void page_password_forgot(struct request *req)
{
	http_render_form(req, 200, "password_forgot", http_page(req, "Forgot your password?"));
}

const struct form_spec form_password_forgot = { "the password reset form", (const struct form_field[]){
	{ .name = "email", .kind = VALID_EMAIL, .flags = FIELD_REQUIRED },
	{ .name = NULL } } };

void post_password_forgot(struct request *req)
{
	struct tdict *d = http_page(req, "Forgot your password?");
	if (form_invalid(req, d)) {
		http_render_form(req, 400, "password_forgot", d);
		return;
	}
	const char *email = form_value(req, "email");
	/* Only the request is recorded here, by the same statement whether or not the address
	 * has an account; the sender makes the link and the mail: the answer and its timing
	 * tell nothing. */
	int throttled = 0;
	enum db_status st = mail_link_reset_request(req->arena, email, req->remote_addr, &throttled);
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	if (throttled) {
		http_header(req, "Retry-After", "3600");
		tdict_set(d, "form_error", "Too many reset links were asked for from your network in "
		    "the last hour. Please try again later.");
		http_render_form(req, 429, "password_forgot", d);
		return;
	}
	http_redirect(req, "/password/forgot/sent");
}

void page_password_forgot_sent(struct request *req)
{
	http_render(req, 200, "password_forgot_sent", http_page(req, "Check your mail"));
}

/* 1 when the reset link (the token in the path) is live; else 0, the error or 410 page set. */
static int reset_link_live(struct request *req)
{
	int valid;
	enum db_status st = mail_link_check(req->arena, MAIL_LINK_RESET, req->params[0], &valid);
	if (st != DB_OK)
		fail_db(req, st);
	else if (!valid)
		link_gone(req, 1);
	return st == DB_OK && valid;
}

void page_password_reset(struct request *req)
{
	if (!reset_link_live(req))
		return;
	struct tdict *d = http_page(req, "Choose a new password");
	tdict_set(d, "token", req->params[0]);
	http_render_form(req, 200, "password_reset", d);
}

const struct form_spec form_password_reset = { "the new password form", (const struct form_field[]){
	{ .name = "password", .kind = VALID_PASSWORD, .flags = FIELD_REQUIRED | FIELD_SECRET },
	{ .name = NULL } } };

void post_password_reset(struct request *req)
{
	if (!reset_link_live(req))
		return;
	struct tdict *d = http_page(req, "Choose a new password");
	enum db_status st;
	int valid;
	tdict_set(d, "token", req->params[0]);
	if (form_invalid(req, d)) {
		http_render_form(req, 400, "password_reset", d);
		return;
	}
	const char *password = form_value(req, "password");
	char hash[crypto_pwhash_STRBYTES];
	if (password_hash(hash, password) != 0) {
		http_error(req, 500, "The password could not be stored. Please try again.");
		return;
	}
	/* Checked again inside: two tabs posting the same link, only one wins. */
	if ((st = mail_link_reset_use(req->arena, req->params[0], hash,
	    req->user != NULL ? req->user->id_text : NULL, &valid)) != DB_OK) {
		fail_db(req, st);
		return;
	}
	if (!valid) {
		link_gone(req, 1);
		return;
	}
	/* Every session of the account has ended, this browser's too if it had one. */
	if (req->user != NULL)
		http_websession_end(req);
	http_redirect(req, "/login");
}

void page_confirm(struct request *req)
{
	int valid;
	const char *user_id;
	enum db_status st = mail_link_confirm_use(req->arena, req->params[0],
	    req->user != NULL ? req->user->id_text : NULL, &valid, &user_id);
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	if (!valid) {
		link_gone(req, 0);
		return;
	}
	http_redirect(req, req->user != NULL ? "/dashboard" : "/login");
}

/* The dashboard's button and the office's "send again" send nothing but the csrf token. */
const struct form_spec form_confirm_resend = { "the confirmation form", (const struct form_field[]){
	{ .name = NULL } } };
const struct form_spec form_mail_retry = { "the send again form", (const struct form_field[]){
	{ .name = NULL } } };

void post_confirm_resend(struct request *req)
{
	int throttled;
	if (req->in.bad) {
		http_error(req, 400, form_error(req));
		return;
	}
	enum db_status st = mail_link_confirm_resend(req->arena, req->user->id_text, req->remote_addr,
	    &throttled);
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	if (throttled) {
		http_header(req, "Retry-After", "3600");
		http_error(req, 429, "Several links were sent in the last hour: please look for them in "
		    "your mail (and its spam folder), or try again later.");
		return;
	}
	http_redirect(req, "/dashboard");
}

void page_admin_mail(struct request *req)
{
	struct outbox_counts c;
	struct outbox_row *rows;
	struct unconfirmed_row *unconfirmed;
	size_t n, nu;
	enum db_status st = outbox_status(req->arena, &c, &rows, &n, 200);
	if (st == DB_OK)
		st = outbox_unconfirmed(req->arena, &unconfirmed, &nu, 200);
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	struct tdict *d = http_page(req, "E-mail");
	tdict_set_int(d, "n_queued", c.queued);
	tdict_set_int(d, "n_sending", c.sending);
	tdict_set_int(d, "n_sent", c.sent);
	tdict_set_int(d, "n_failed", c.failed);
	tdict_set_list(d, "messages");
	for (size_t i = 0; i < n; i++) {
		struct tdict *x = tdict_push(d, "messages");
		tdict_set(x, "id", rows[i].id);
		tdict_set(x, "kind", rows[i].kind);
		tdict_set(x, "to", rows[i].to_addr);
		tdict_set(x, "state", rows[i].state);
		tdict_set_bool(x, "failed", strcmp(rows[i].state, "failed") == 0);
		tdict_set(x, "attempts", rows[i].attempts);
		tdict_set(x, "created", rows[i].created);
		tdict_set(x, "sent", rows[i].sent);
		tdict_set(x, "next_attempt", rows[i].next_attempt);
		tdict_set(x, "error", rows[i].last_error);
	}
	tdict_set_list(d, "unconfirmed");
	for (size_t i = 0; i < nu; i++) {
		struct tdict *x = tdict_push(d, "unconfirmed");
		tdict_set(x, "user_id", unconfirmed[i].id);
		tdict_set(x, "email", unconfirmed[i].email);
		tdict_set(x, "full_name", unconfirmed[i].full_name);
		tdict_set(x, "registered", unconfirmed[i].registered);
	}
	http_render(req, 200, "admin_mail", d);
}

void post_admin_mail_retry(struct request *req)
{
	struct refusal ref = { 0 };
	if (req->in.bad) {
		http_error(req, 400, form_error(req));
		return;
	}
	enum db_status st = outbox_retry(req->arena, req->params[0], req->user->id_text, &ref);
	if (st == DB_REFUSED) {
		http_refusal(req, "Not retried", &ref);
		return;
	}
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	http_redirect(req, "/admin/mail");
}
