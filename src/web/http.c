#include "web/http.h"

#include <errno.h>
#include <fastcgi.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/uio.h>

#include "core/netaddr.h"

const char *http_status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 303: return "See Other";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	}
	return "Error";
}

static const char *param(struct request *req, const char *name)
{
	const char *v = FCGX_GetParam(name, req->fcgi->envp);
	return v != NULL ? v : "";
}

/* A field the parser refuses is the client's mistake (400); only a body over the whole
 * limit is 413, and nginx answers that one before we read it. */
static int status_of(enum form_status st)
{
	(void)st;
	return 400;
}

int http_read(struct request *req, const char **why)
{
	enum form_status st;

	req->method = param(req, "REQUEST_METHOD");
	req->path = param(req, "DOCUMENT_URI");
	if (*req->path == '\0')
		req->path = param(req, "SCRIPT_NAME");
	/* Per-address limits count an IPv6 client by its /64 (core/netaddr.h). */
	req->remote_addr = netaddr_key(req->arena, param(req, "REMOTE_ADDR"));
	req->content_type = param(req, "CONTENT_TYPE");
	req->https = strcmp(param(req, "HTTPS"), "on") == 0;
	buf_init(&req->headers, req->arena);
	buf_init(&req->out, req->arena);
	req->status = 200;

	const char *qs = param(req, "QUERY_STRING");
	if ((st = form_parse_urlencoded(req->arena, qs, strlen(qs), &req->query)) != FORM_OK) {
		*why = form_status_text(st);
		return status_of(st);
	}
	/* Cookies are shared by every site on 127.0.0.1 and may clash or be odd: a Cookie
	 * header we cannot parse means "no session", never an error page. */
	const char *cookie = param(req, "HTTP_COOKIE");
	if (form_parse_cookies(req->arena, cookie, &req->cookies) != FORM_OK)
		memset(&req->cookies, 0, sizeof req->cookies);

	const char *cl = param(req, "CONTENT_LENGTH");
	char *end;
	unsigned long long len = *cl ? strtoull(cl, &end, 10) : 0;
	if (*cl && *end != '\0') {
		*why = "malformed Content-Length";
		return 400;
	}
	if (len > HTTP_MAX_BODY) {
		*why = "the request body is too large";
		return 413;
	}
	char *body = arena_alloc(req->arena, (size_t)len + 1);
	size_t got = 0;
	while (got < len) {
		int n = FCGX_GetStr(body + got, (int)(len - got), req->fcgi->in);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got != len) {
		*why = "the request body ended early";
		return 400;
	}
	body[got] = '\0';
	req->body = body;
	req->body_len = got;

	if (strcmp(req->method, "POST") != 0)
		return 0;
	if (strncasecmp(req->content_type, "application/x-www-form-urlencoded", 33) == 0)
		st = form_parse_urlencoded(req->arena, body, got, &req->form);
	else if (strncasecmp(req->content_type, "multipart/form-data", 19) == 0)
		st = form_parse_multipart(req->arena, req->content_type, body, got, &req->form);
	else if (got == 0)
		st = FORM_OK;
	else {
		*why = "forms must be sent as application/x-www-form-urlencoded or multipart/form-data";
		return 415;
	}
	if (st != FORM_OK) {
		*why = form_status_text(st);
		return status_of(st);
	}
	return 0;
}

void http_header(struct request *req, const char *name, const char *value)
{
	buf_printf(&req->headers, "%s: %s\r\n", name, value);
}

void http_redirect(struct request *req, const char *location)
{
	req->status = 303;
	http_header(req, "Location", location);
	req->out.len = 0;
	req->out.data[0] = '\0';
}

struct tdict *http_page(struct request *req, const char *title)
{
	struct tdict *d = tdict_new(req->arena);
	tdict_set(d, "title", title);
	if (req->csrf != NULL)
		tdict_set(d, "csrf", req->csrf);
	if (req->user != NULL) {
		tdict_set_bool(d, "signed_in", 1);
		tdict_set(d, "user_name", req->user->full_name);
		tdict_set(d, "user_email", req->user->email);
		tdict_set(d, "user_role", role_name(req->user->role));
		tdict_set_bool(d, "is_candidate", req->user->role == ROLE_CANDIDATE);
		tdict_set_bool(d, "is_examiner", req->user->role == ROLE_EXAMINER);
		tdict_set_bool(d, "is_admin", req->user->role == ROLE_ADMIN);
	}
	return d;
}

/* Room for most pages' bodies (the largest, /exams, is about 18 KB), and for the layout
 * around a body, so that neither is copied as it grows. */
#define PAGE_BODY_ROOM (32 * 1024)
#define LAYOUT_ROOM (8 * 1024)

void http_render(struct request *req, int status, const char *name, struct tdict *page)
{
	struct buf body;
	buf_init_cap(&body, req->arena, PAGE_BODY_ROOM);
	if (template_render(&body, name, page) != 0) {
		fprintf(stderr, "portal: template %s is missing\n", name);
		http_error(req, 500, NULL);
		return;
	}
	tdict_set_ref(page, "content", body.data); /* in the request's arena: no copy */
	req->status = status;
	buf_init_cap(&req->out, req->arena, body.len + LAYOUT_ROOM);
	if (template_render(&req->out, "layout", page) != 0) {
		req->status = 500;
		buf_puts(&req->out, "layout template missing\n");
	}
}

void http_render_form(struct request *req, int status, const char *name, struct tdict *page)
{
	enum db_status st = http_websession_ensure_csrf(req);
	if (st != DB_OK) {
		fail_db(req, st);
		return;
	}
	tdict_set(page, "csrf", req->csrf);
	http_render(req, status, name, page);
}

void http_error(struct request *req, int status, const char *message)
{
	struct tdict *d = http_page(req, http_status_text(status));
	tdict_set_int(d, "status", status);
	tdict_set(d, "reason", http_status_text(status));
	tdict_set(d, "message", message);
	http_render(req, status, "error", d);
}

void fail_db(struct request *req, enum db_status st)
{
	if (st == DB_UNAVAILABLE)
		http_error(req, 503, "The portal's database cannot be reached right now. "
		    "Nothing was changed; please try again in a minute.");
	else
		http_error(req, 500, "Something went wrong on our side and nothing was changed. "
		    "Please try again; if it keeps happening, contact the ESNR office.");
}

void http_refused(struct request *req, int status, const char *title, const char *why,
    const char *const *reasons, size_t nreasons)
{
	if (status != 409) {
		http_error(req, status, why);
		return;
	}
	struct tdict *d = http_page(req, title);
	tdict_set(d, "why", why);
	for (size_t i = 0; i < nreasons; i++)
		tdict_set(tdict_push(d, "reasons"), "reason", reasons[i]);
	http_render(req, 409, "refused", d);
}

int http_refusal_status(const struct refusal *ref)
{
	switch (ref->kind) {
	case REFUSAL_NOT_FOUND: return 404;
	case REFUSAL_FORBIDDEN: return 403;
	case REFUSAL_CONFLICT: return 409;
	case REFUSAL_BAD_FIELD: return 400;
	case REFUSAL_NONE:
	case REFUSAL__MAX:
		break;
	}
	return 500; /* DB_REFUSED without a filled refusal is our bug */
}

void http_refusal(struct request *req, const char *title, const struct refusal *ref)
{
	http_refused(req, http_refusal_status(ref), title, ref->text, ref->reasons, ref->nreasons);
}

void http_field_error(struct request *req, struct tdict *page, const struct refusal *ref,
    const char *const *keys)
{
	const char *key = NULL;
	for (size_t i = 0; ref->field != NULL && keys != NULL && keys[i] != NULL; i += 2)
		if (strcmp(keys[i], ref->field) == 0)
			key = keys[i + 1];
	if (key == NULL)
		key = ref->field != NULL ? arena_printf(req->arena, "%s_error", ref->field) : "form_error";
	tdict_set(page, key, ref->text);
}

/* A FastCGI record header (fastcgi.h): version, type, request id, content length, no padding. */
static void record_header(unsigned char h[FCGI_HEADER_LEN], int type, int id, size_t len)
{
	h[0] = FCGI_VERSION_1;
	h[1] = (unsigned char)type;
	h[2] = (unsigned char)(id >> 8);
	h[3] = (unsigned char)id;
	h[4] = (unsigned char)(len >> 8);
	h[5] = (unsigned char)len;
	h[6] = 0;
	h[7] = 0;
}

/* Writes iov[0..n) whole, resuming after short writes; -1 when the peer is gone. */
static int write_all(int fd, struct iovec *iov, int n)
{
	while (n > 0) {
		ssize_t w = writev(fd, iov, n > IOV_MAX ? IOV_MAX : n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

/* The whole answer as the records that carry it: FCGI_STDOUT records of at most 65535
 * bytes, the empty one that ends the stream and FCGI_END_REQUEST, in one writev instead
 * of libfcgi's buffered stream (a write per 8 KB, then one more for the end). */
static void send_records(struct request *req, const char *data, size_t len)
{
	enum { CHUNK = 65535 };
	size_t chunks = (len + CHUNK - 1) / CHUNK;
	int id = req->fcgi->requestId;
	unsigned char *heads = arena_alloc(req->arena, (chunks + 1) * FCGI_HEADER_LEN);
	struct iovec *iov = arena_alloc(req->arena, (2 * chunks + 2) * sizeof *iov);
	int n = 0;
	for (size_t i = 0; i < chunks; i++) {
		size_t part = len - i * CHUNK < CHUNK ? len - i * CHUNK : CHUNK;
		record_header(heads + i * FCGI_HEADER_LEN, FCGI_STDOUT, id, part);
		iov[n++] = (struct iovec){ heads + i * FCGI_HEADER_LEN, FCGI_HEADER_LEN };
		iov[n++] = (struct iovec){ (char *)data + i * CHUNK, part };
	}
	static unsigned char end[2 * FCGI_HEADER_LEN + sizeof(FCGI_EndRequestBody)];
	record_header(end, FCGI_STDOUT, id, 0);
	record_header(end + FCGI_HEADER_LEN, FCGI_END_REQUEST, id, sizeof(FCGI_EndRequestBody));
	memset(end + 2 * FCGI_HEADER_LEN, 0, sizeof(FCGI_EndRequestBody)); /* status 0, complete */
	iov[n++] = (struct iovec){ end, sizeof end };
	(void)write_all(req->fcgi->ipcFd, iov, n); /* nginx gone: nobody left to answer */
}

/* What is left of the request's input, read to its end (usually already buffered: nginx
 * sends the record that ends it with the rest); 0 when the stream ended cleanly. A socket
 * closed on unread input would look reset to nginx. */
static int drain_input(struct request *req)
{
	char sink[4096];
	while (FCGX_GetStr(sink, sizeof sink, req->fcgi->in) > 0)
		;
	return FCGX_GetError(req->fcgi->in) != 0 ? -1 : 0;
}

void http_reset(struct request *req)
{
	buf_init(&req->headers, req->arena);
	buf_init(&req->out, req->arena);
	req->status = 200;
	memset(&req->websession, 0, sizeof req->websession);
	req->csrf = NULL;
	req->user = NULL;
	memset(req->params, 0, sizeof req->params);
}

int http_send(struct request *req)
{
	struct buf all;
	buf_init_cap(&all, req->arena, req->headers.len + req->out.len + 512);
	buf_printf(&all, "Status: %d %s\r\n", req->status, http_status_text(req->status));
	buf_append(&all, req->headers.data, req->headers.len);
	if (req->status != 303 && strstr(req->headers.data, "Content-Type:") == NULL)
		buf_puts(&all, "Content-Type: text/html; charset=utf-8\r\n");
	/* Pages carry personal data: never cached by shared caches. */
	if (strstr(req->headers.data, "Cache-Control:") == NULL)
		buf_puts(&all, "Cache-Control: no-store\r\n");
	buf_printf(&all, "Content-Length: %llu\r\n\r\n", (unsigned long long)req->out.len);
	int head_only = strcmp(req->method, "HEAD") == 0;
	/* A connection nginx keeps for further requests goes the library's way. */
	if (req->fcgi->keepConnection || drain_input(req) != 0) {
		FCGX_PutStr(all.data, (int)all.len, req->fcgi->out);
		if (!head_only)
			FCGX_PutStr(req->out.data, (int)req->out.len, req->fcgi->out);
		return 0;
	}
	if (!head_only)
		buf_append(&all, req->out.data, req->out.len);
	send_records(req, all.data, all.len);
	return 1;
}

const char *http_form(const struct request *req, const char *name)
{
	const char *v = fields_get(&req->form, name);
	return v != NULL ? v : "";
}

int form_invalid(struct request *req, struct tdict *page)
{
	return form_input_show(&req->in, req->arena, page);
}

const char *form_error(const struct request *req)
{
	return form_input_first_error(&req->in, req->arena);
}

const char *form_value(const struct request *req, const char *name)
{
	return form_input_value(&req->in, name);
}

int form_ticked(const struct request *req, const char *name)
{
	return form_value(req, name)[0] != '\0';
}

const struct field *form_file(const struct request *req, const char *name)
{
	const struct form_item *it = form_input_item(&req->in, name);
	return it != NULL && it->error == NULL && it->value[0] != '\0' ? it->part : NULL;
}

/* ---- the session cookie ---- */

static void mirror(struct request *req)
{
	req->csrf = req->websession.csrf;
	req->user = req->websession.user;
}

/* Behind TLS the cookie is "__Host-esonr_session": browsers then keep it only when it came
 * over HTTPS with Secure, Path=/ and no Domain, so that no other site on the same host or a
 * sibling domain can set or shadow it (cookie tossing). */
static const char *cookie_name(const struct request *req)
{
	return req->https ? WEBSESSION_COOKIE_TLS : WEBSESSION_COOKIE;
}

static void set_cookie(struct request *req, const char *value, int expire)
{
	char *c = arena_printf(req->arena, "%s=%s; Path=/; HttpOnly; SameSite=Lax%s%s",
	    cookie_name(req), value, expire ? "; Max-Age=0" : "", req->https ? "; Secure" : "");
	http_header(req, "Set-Cookie", c);
}

enum db_status http_websession_load(struct request *req, enum websession_use use)
{
	enum db_status st = websession_load(req->arena, fields_get(&req->cookies, cookie_name(req)),
	    use, &req->websession);
	mirror(req);
	return st;
}

enum db_status http_websession_ensure_csrf(struct request *req)
{
	if (websession_presession(req->arena, &req->websession))
		set_cookie(req, req->websession.token, 0);
	mirror(req);
	return DB_OK;
}

enum db_status http_websession_start(struct request *req, long long user_id)
{
	struct user *was = req->user;
	enum db_status st = websession_start(req->arena, &req->websession, user_id);
	if (st == DB_OK)
		set_cookie(req, req->websession.token, 0);
	req->websession.user = was; /* the account is loaded from the cookie on the next request */
	mirror(req);
	return st;
}

enum db_status http_websession_end(struct request *req)
{
	enum db_status st = websession_end(req->arena, &req->websession);
	set_cookie(req, "", 1);
	mirror(req);
	return st;
}

int http_csrf_ok(const struct request *req)
{
	return websession_csrf_ok(&req->websession, fields_get(&req->form, "csrf"));
}

void http_option(struct tdict *d, const char *list, const char *value, const char *label,
    const char *chosen)
{
	struct tdict *o = tdict_push(d, list);
	tdict_set(o, "value", value);
	tdict_set(o, "label", label);
	tdict_set_bool(o, "selected", chosen != NULL && strcmp(value, chosen) == 0);
}
