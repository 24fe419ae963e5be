#include <stdio.h>
#include <string.h>

#include "auth/password.h"
#include "auth/login.h"
#include "db/users.h"
#include "domain/account.h"
#include "db/certificate_issue.h"
#include "web/handlers.h"

static void show_register(struct request *req, int status, struct tdict *d)
{
	http_render_form(req, status, "register", d);
}

void page_register(struct request *req)
{
	if (req->user != NULL) {
		http_redirect(req, "/dashboard");
		return;
	}
	show_register(req, 200, http_page(req, "Create your account"));
}

/* Any other field (a "role", say) is refused: nobody registers as anything but a candidate. */
const struct form_spec form_register = { "the registration form", (const struct form_field[]){
	{ .name = "email", .kind = VALID_EMAIL, .flags = FIELD_REQUIRED },
	{ .name = "full_name", .kind = VALID_NAME, .flags = FIELD_REQUIRED, .error_key = "name_error" },
	{ .name = "password", .kind = VALID_PASSWORD, .flags = FIELD_REQUIRED | FIELD_SECRET },
	{ .name = NULL } } };

void post_register(struct request *req)
{
	struct tdict *d = http_page(req, "Create your account");
	/* The user's values come back in the form, the password never does. */
	if (form_invalid(req, d)) {
		show_register(req, 400, d);
		return;
	}
	const char *email = form_value(req, "email"), *name = form_value(req, "full_name");
	const char *password = form_value(req, "password");
	/* A name the certificate font cannot draw is refused now, not at publication. */
	const char *why = holder_name_problem(req->arena, name);
	if (why != NULL) {
		tdict_set(d, "name_error", why);
		show_register(req, 400, d);
		return;
	}

	char hash[crypto_pwhash_STRBYTES];
	if (password_hash(hash, password) != 0) {
		http_error(req, 500, "The password could not be stored. Please try again.");
		return;
	}
	long long id = 0;
	enum db_status st = user_register(req->arena, email, name, hash, &id);
	if (st == DB_CONFLICT) {
		tdict_set(d, "email_error", "An account with this e-mail address already exists. "
		    "Log in instead, or use another address.");
		show_register(req, 409, d);
		return;
	}
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	if ((st = http_websession_start(req, id)) != DB_OK) {
		fail_db(req, st);
		return;
	}
	http_redirect(req, "/dashboard");
}

static void show_login(struct request *req, int status, struct tdict *d)
{
	http_render_form(req, status, "login", d);
}

void page_login(struct request *req)
{
	if (req->user != NULL) {
		http_redirect(req, "/dashboard");
		return;
	}
	show_login(req, 200, http_page(req, "Log in"));
}

/* The password is whatever was typed: only the login itself may judge it (401, not 400). */
const struct form_spec form_login = { "the login form", (const struct form_field[]){
	{ .name = "email", .kind = VALID_EMAIL, .flags = FIELD_REQUIRED },
	{ .name = "password", .kind = VALID_ANY, .flags = FIELD_SECRET },
	{ .name = NULL } } };

void post_login(struct request *req)
{
	struct tdict *d = http_page(req, "Log in");
	enum db_status st;
	if (form_invalid(req, d)) {
		show_login(req, 400, d);
		return;
	}
	const char *email = form_value(req, "email");
	struct login_attempt at = { email, form_value(req, "password"), req->remote_addr, 0, 0, 0 };
	if ((st = login_attempt_run(req->arena, &at)) != DB_OK) {
		fail_db(req, st);
		return;
	}
	if (at.wait > 0) {
		char secs[16];
		snprintf(secs, sizeof secs, "%d", at.wait);
		http_header(req, "Retry-After", secs);
		tdict_setf(d, "form_error", "Too many failed attempts. For your account's safety, "
		    "logging in is paused; try again in %d minute%s.", (at.wait + 59) / 60,
		    (at.wait + 59) / 60 == 1 ? "" : "s");
		show_login(req, 429, d);
		return;
	}
	if (!at.ok) {
		tdict_set(d, "form_error", "The e-mail address or the password is not right.");
		show_login(req, 401, d);
		return;
	}
	if ((st = http_websession_start(req, at.user_id)) != DB_OK) {
		fail_db(req, st);
		return;
	}
	http_redirect(req, "/dashboard");
}

const struct form_spec form_logout = { "the logout form", (const struct form_field[]){
	{ .name = NULL } } };

void post_logout(struct request *req)
{
	enum db_status st = http_websession_end(req);
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	http_redirect(req, "/");
}
