#include "web/routes.h"

#include <string.h>

#include "web/handlers.h"

static const struct route routes[] = {
	{ "GET",  "/",          ROLES_PUBLIC,    page_home, NULL },
	{ "GET",  "/register",  ROLES_PUBLIC,    page_register, NULL },
	{ "POST", "/register",  ROLES_PUBLIC,    post_register, &form_register },
	{ "GET",  "/login",     ROLES_PUBLIC,    page_login, NULL },
	{ "POST", "/login",     ROLES_PUBLIC,    post_login, &form_login },
	{ "POST", "/logout",    ROLES_SIGNED_IN, post_logout, &form_logout },
	{ "GET",  "/dashboard", ROLES_SIGNED_IN, page_dashboard, NULL },

	/* links sent by mail, the office's outbox: h_mail.c */
	{ "GET",  "/password/forgot",      ROLES_PUBLIC,    page_password_forgot, NULL },
	{ "POST", "/password/forgot",      ROLES_PUBLIC,    post_password_forgot, &form_password_forgot },
	{ "GET",  "/password/forgot/sent", ROLES_PUBLIC,    page_password_forgot_sent, NULL },
	{ "GET",  "/password/reset/{}",    ROLES_PUBLIC,    page_password_reset, NULL },
	{ "POST", "/password/reset/{}",    ROLES_PUBLIC,    post_password_reset, &form_password_reset },
	{ "GET",  "/confirm/{}",           ROLES_PUBLIC,    page_confirm, NULL },
	{ "POST", "/confirm/resend",       ROLES_SIGNED_IN, post_confirm_resend, &form_confirm_resend },
	{ "GET",  "/admin/mail",           ROLE_ADMIN,      page_admin_mail, NULL },
	{ "POST", "/admin/mail/{#}/retry", ROLE_ADMIN,      post_admin_mail_retry, &form_mail_retry },

	/* candidates: h_candidate.c */
	{ "GET",  "/exams",                      ROLE_CANDIDATE, page_exams, NULL },
	{ "POST", "/exams/{#}/book",              ROLE_CANDIDATE, post_book, &form_book },
	{ "GET",  "/bookings/{#}",                ROLE_CANDIDATE, page_booking, NULL },
	{ "GET",  "/bookings/{#}/calendar.ics",   ROLE_CANDIDATE, booking_calendar, NULL },
	{ "POST", "/bookings/{#}/cancel",         ROLE_CANDIDATE, post_cancel, &form_cancel },

	/* certificates and verification: h_certificates.c */
	{ "GET",  "/certificates",                 ROLES_SIGNED_IN, page_certificates, NULL },
	{ "GET",  "/certificates/{}.pdf",          ROLES_SIGNED_IN, certificate_download, NULL },
	{ "GET",  "/verify",                       ROLES_PUBLIC, page_verify_form, NULL },
	{ "POST", "/verify",                       ROLES_PUBLIC, post_verify, &form_verify },
	{ "GET",  "/verify/keys",                  ROLES_PUBLIC, page_verify_keys, NULL },
	{ "GET",  "/verify/{}",                    ROLES_PUBLIC, page_verify_number, NULL },
	{ "POST", "/admin/certificates/{}/revoke", ROLE_ADMIN, post_cert_revoke, &form_cert_reason },
	{ "POST", "/admin/certificates/{}/reissue", ROLE_ADMIN, post_cert_reissue, &form_cert_reason },
	{ "GET",  "/verify/keys.txt",              ROLES_PUBLIC, page_verify_keys_list, NULL },

	/* examiners (and the office): h_examiner.c */
	{ "GET",  "/examiner/sessions/{#}",         ROLE_EXAMINER | ROLE_ADMIN, page_examiner_session, NULL },
	{ "POST", "/examiner/sessions/{#}/results", ROLE_EXAMINER, post_results, &form_results },
	{ "POST", "/examiner/sessions/{#}/import",  ROLE_EXAMINER, post_results_import, &form_results_import },
	{ "POST", "/admin/sessions/{#}/publish",    ROLE_ADMIN, post_publish, &form_publish },
	{ "POST", "/admin/bookings/{#}/decision",   ROLE_ADMIN, post_decision, &form_decision },
	{ "POST", "/admin/bookings/{#}/resolve",    ROLE_ADMIN, post_resolve, &form_resolve },
	{ "POST", "/admin/bookings/{#}/amend",      ROLE_ADMIN, post_amend, &form_amend },
	{ "GET",  "/results",                      ROLE_CANDIDATE, page_results, NULL },

	/* the programme's rules: h_programme.c */
	{ "GET",  "/admin/exams",                  ROLE_ADMIN, page_admin_exams, NULL },
	{ "POST", "/admin/exams/{}/marks",         ROLE_ADMIN, post_admin_exam_marks, &form_exam_marks },
	{ "POST", "/admin/exams/{}/rules",         ROLE_ADMIN, post_admin_exam_rules, &form_exam_rules },
	{ "POST", "/admin/rules/{#}/retire",       ROLE_ADMIN, post_admin_rule_retire, &form_rule_retire },

	/* the ESNR office: h_admin_sessions.c, h_admin_candidates.c, h_admin_editions.c, h_admin_import.c */
	{ "GET",  "/admin",                          ROLE_ADMIN, page_admin, NULL },
	{ "GET",  "/admin/sessions",                 ROLE_ADMIN, page_admin_sessions, NULL },
	{ "POST", "/admin/sessions",                 ROLE_ADMIN, post_admin_sessions, &form_admin_sessions },
	{ "GET",  "/admin/sessions/{#}",              ROLE_ADMIN, page_admin_session, NULL },
	{ "POST", "/admin/sessions/{#}/examiners",    ROLE_ADMIN, post_admin_session_examiners, &form_admin_session_examiners },
	{ "POST", "/admin/sessions/{#}/close",        ROLE_ADMIN, post_admin_session_close, &form_admin_session_close },
	{ "GET",  "/admin/candidates",               ROLE_ADMIN, page_admin_candidates, NULL },
	{ "GET",  "/admin/candidates/{#}",            ROLE_ADMIN, page_admin_candidate, NULL },
	{ "POST", "/admin/candidates/{#}/records",    ROLE_ADMIN, post_admin_candidate_records, &form_admin_records },
	{ "POST", "/admin/candidates/{#}/name",        ROLE_ADMIN, post_admin_candidate_name, &form_admin_candidate_name },
	{ "POST", "/admin/candidates/{#}/attestations", ROLE_ADMIN, post_admin_candidate_attestations, &form_admin_attestations },
	{ "GET",  "/admin/editions",                 ROLE_ADMIN, page_admin_editions, NULL },
	{ "POST", "/admin/editions",                 ROLE_ADMIN, post_admin_editions, &form_admin_editions },
	{ "GET",  "/admin/import",                   ROLE_ADMIN, page_admin_import, NULL },
	{ "POST", "/admin/import",                   ROLE_ADMIN, post_admin_import, &form_admin_import },
	{ "GET",  "/admin/audit",                    ROLE_ADMIN, page_admin_audit, NULL },
};

static int value_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    c == '_' || c == '-';
}

int route_pattern_match(struct arena *a, const char *pattern, const char *path,
    const char **params)
{
	int n = 0;
	while (*pattern != '\0') {
		/* {} is a code or number ([A-Za-z0-9_-]+); {#} a database id (1 to 18 digits),
		 * so that handlers never see an id that is not one. */
		int id = pattern[0] == '{' && pattern[1] == '#' && pattern[2] == '}';
		if ((pattern[0] == '{' && pattern[1] == '}') || id) {
			const char *start = path;
			while (id ? (*path >= '0' && *path <= '9') : value_char(*path))
				path++;
			if (path == start || n == HTTP_MAX_PARAMS || (id && path - start > 18))
				return 0;
			params[n++] = arena_strndup(a, start, (size_t)(path - start));
			pattern += id ? 3 : 2;
			continue;
		}
		if (*pattern != *path)
			return 0;
		pattern++;
		path++;
	}
	return *path == '\0';
}

const char *route_allowed(struct request *req)
{
	int get = 0, post = 0;
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		const char *params[HTTP_MAX_PARAMS] = { 0 };
		if (!route_pattern_match(req->arena, routes[i].pattern, req->path, params))
			continue;
		get |= strcmp(routes[i].method, "GET") == 0;
		post |= strcmp(routes[i].method, "POST") == 0;
	}
	return get && post ? "GET, HEAD, POST" : get ? "GET, HEAD" : post ? "POST" : "";
}

const struct route *route_table(size_t *n)
{
	*n = sizeof routes / sizeof routes[0];
	return routes;
}

void route_table_print(FILE *out)
{
	static const enum role all[] = { ROLE_CANDIDATE, ROLE_EXAMINER, ROLE_ADMIN };
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		fprintf(out, "%s\t%s\t", routes[i].method, routes[i].pattern);
		if (routes[i].roles == ROLES_PUBLIC)
			fputs("public", out);
		for (size_t k = 0, first = 1; k < sizeof all / sizeof all[0]; k++)
			if (routes[i].roles & all[k]) {
				fprintf(out, "%s%s", first ? "" : "|", role_name(all[k]));
				first = 0;
			}
		fputc('\n', out);
	}
}

enum route_result route_match(struct request *req, const struct route **found)
{
	enum route_result result = ROUTE_NOT_FOUND;
	/* HEAD is answered like GET, without the body (http_send drops it). */
	const char *method = strcmp(req->method, "HEAD") == 0 ? "GET" : req->method;
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		const char *params[HTTP_MAX_PARAMS] = { 0 };
		if (!route_pattern_match(req->arena, routes[i].pattern, req->path, params))
			continue;
		if (strcmp(routes[i].method, method) != 0) {
			result = ROUTE_BAD_METHOD;
			continue;
		}
		memcpy(req->params, params, sizeof params);
		*found = &routes[i];
		return ROUTE_FOUND;
	}
	return result;
}
