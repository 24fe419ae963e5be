#include "core/template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static struct arena *A;

/* Parses and renders src, or says why it could not. */
static const char *render(const char *src, const struct tdict *d)
{
	char err[256];
	struct template *t = template_parse(A, "test", src, strlen(src), err, sizeof err);
	if (t == NULL)
		return arena_printf(A, "PARSE ERROR %s", err);
	struct buf b;
	buf_init(&b, A);
	if (template_render_parsed(&b, t, d) == -1)
		return "RENDER ERROR";
	return b.data;
}

/* The parse error for src, or "parsed" if there is none. */
static const char *parse_error(const char *src)
{
	char err[256];
	if (template_parse(A, "page", src, strlen(src), err, sizeof err) != NULL)
		return "parsed";
	return arena_strdup(A, err);
}

static const char *render_named(const char *name, const struct tdict *d)
{
	struct buf b;
	buf_init(&b, A);
	if (template_render(&b, name, d) == -1)
		return "RENDER ERROR";
	return b.data;
}

static void add(const char *name, const char *src)
{
	char err[256];
	if (template_add(name, src, strlen(src), err, sizeof err) == -1)
		printf("# template_add %s: %s\n", name, err);
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (f == NULL) {
		perror(path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
}

static void remove_file(const char *dir, const char *name)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	unlink(path);
}

static void test_escaping(void)
{
	struct tdict *d = tdict_new(A);
	tdict_set(d, "name", "<script>alert(1)</script>");
	CHECK_STR(render("<p>{{name}}</p>", d),
	    "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>",
	    "a name with <script> is escaped");

	tdict_set(d, "q", "a&b \"c\" 'd'");
	CHECK_STR(render("<input value=\"{{q}}\" title='{{q}}'>", d),
	    "<input value=\"a&amp;b &quot;c&quot; &#39;d&#39;\" "
	    "title='a&amp;b &quot;c&quot; &#39;d&#39;'>",
	    "& and quotes in attribute values are escaped");

	tdict_set(d, "body", "<main id=\"x\">O'Brien & co</main>");
	CHECK_STR(render("<body>{{&body}}</body>", d),
	    "<body><main id=\"x\">O'Brien & co</main></body>",
	    "raw tag outputs HTML unescaped");
	CHECK_STR(render("{{ & body }}|{{ body }}", d),
	    "<main id=\"x\">O'Brien & co</main>|"
	    "&lt;main id=&quot;x&quot;&gt;O&#39;Brien &amp; co&lt;/main&gt;",
	    "whitespace around the sigil and key is allowed");

	struct tdict *item = tdict_push(d, "rows");
	tdict_set(item, "cell", "<b>");
	CHECK_STR(render("{{#rows}}{{cell}}{{/rows}}", d), "&lt;b&gt;",
	    "values inside list items are escaped too");

	tdict_set(d, "utf8", "Ærøskøbing — Łódź «Ζ»");
	CHECK_STR(render("{{utf8}}", d), "Ærøskøbing — Łódź «Ζ»",
	    "UTF-8 names pass through unchanged");
}

static void test_values(void)
{
	struct tdict *d = tdict_new(A);
	CHECK_STR(render("[{{nobody}}][{{&nobody}}]", d), "[][]",
	    "a missing key renders as empty");
	CHECK_STR(render("[{{x}}]", NULL), "[]", "a NULL dictionary renders keys as empty");

	tdict_set(d, "k", "first");
	tdict_set(d, "k", "second");
	CHECK_STR(render("{{k}}", d), "second", "setting a key again replaces its value");

	tdict_set_int(d, "seats", -12);
	tdict_setf(d, "when", "%04d-%02d-%02d", 2027, 5, 3);
	CHECK_STR(render("{{seats}} {{when}}", d), "-12 2027-05-03",
	    "integers and formatted values render as text");

	tdict_set_bool(d, "yes", 1);
	tdict_set_bool(d, "no", 0);
	CHECK_STR(render("{{yes}} {{no}}", d), "true false", "booleans render as true / false");

	char value[] = "volatile";
	tdict_set(d, "copied", value);
	value[0] = 'X';
	CHECK_STR(tdict_get(d, "copied"), "volatile", "tdict_set copies the value");

	struct tdict *item = tdict_push(d, "list");
	tdict_set(d, "outer", "parent value");
	CHECK_STR(tdict_get(item, "outer"), "parent value", "an item falls back to its parent");
	tdict_set(item, "outer", NULL);
	CHECK(tdict_get(item, "outer") == NULL, "a NULL value hides the parent's value");
	CHECK_STR(render("{{#list}}[{{outer}}]{{^outer}}unset{{/outer}}{{/list}}", d),
	    "[]unset", "a key set to NULL renders empty and counts as missing");
	CHECK(tdict_get(d, "list") == NULL, "a list has no string value");

	char kept[] = "kept";
	tdict_set_ref(d, "ref", kept);
	kept[0] = 'w';
	CHECK_STR(tdict_get(d, "ref"), "wept", "tdict_set_ref refers to the value, as documented");
	tdict_set_ref(d, "k", "<third>");
	CHECK_STR(render("{{k}} {{ref}}", d), "&lt;third&gt; wept",
	    "a referred value replaces a copied one, and renders escaped like any other");
	tdict_set_ref(item, "ref", NULL);
	CHECK(tdict_get(item, "ref") == NULL, "and a NULL one hides the parent's value");
}

static void test_sections(void)
{
	struct tdict *d = tdict_new(A);
	tdict_set(d, "exam", "L2");
	const char *names[] = { "Ana", "Björn", "Chloé" };
	for (size_t i = 0; i < 3; i++) {
		struct tdict *c = tdict_push(d, "candidates");
		tdict_set(c, "name", names[i]);
		tdict_set_int(c, "n", (long long)i + 1);
	}
	CHECK_STR(render("<ul>{{#candidates}}<li>{{n}}. {{name}} ({{exam}})</li>{{/candidates}}</ul>", d),
	    "<ul><li>1. Ana (L2)</li><li>2. Björn (L2)</li><li>3. Chloé (L2)</li></ul>",
	    "a section over a list renders once per item, falling back to parent keys");

	struct tdict *s = tdict_new(A);
	tdict_set(s, "title", "Sessions");
	struct tdict *s1 = tdict_push(s, "sessions");
	tdict_set(s1, "date", "2027-05-03");
	struct tdict *b = tdict_push(s1, "bookings");
	tdict_set(b, "email", "a@x.eu");
	b = tdict_push(s1, "bookings");
	tdict_set(b, "email", "b@x.eu");
	struct tdict *s2 = tdict_push(s, "sessions");
	tdict_set(s2, "date", "2027-10-04");
	CHECK_STR(render("{{#sessions}}{{date}}:{{#bookings}} {{email}}@{{date}}/{{title}}"
	    "{{/bookings}}{{^bookings}} none{{/bookings}};{{/sessions}}", s),
	    "2027-05-03: a@x.eu@2027-05-03/Sessions b@x.eu@2027-05-03/Sessions;"
	    "2027-10-04: none;",
	    "nested lists see the item, then the enclosing items, then the page");
	CHECK_STR(render("{{#sessions}}{{#sessions}}x{{/sessions}}{{/sessions}}", s), "xxxx",
	    "a list of the page can be iterated inside its own items");

	struct tdict *c = tdict_new(A);
	tdict_set(c, "error", "Too short");
	tdict_set(c, "empty", "");
	tdict_set_bool(c, "admin", 1);
	tdict_set_bool(c, "closed", 0);
	tdict_set(c, "zero", "0");
	CHECK_STR(render("{{#error}}<p class=\"error\">{{error}}</p>{{/error}}", c),
	    "<p class=\"error\">Too short</p>", "a section on a non-empty string renders once");
	CHECK_STR(render("[{{#empty}}x{{/empty}}{{#closed}}x{{/closed}}{{#missing}}x{{/missing}}]", c),
	    "[]", "a section on an empty string, false or a missing key renders nothing");
	CHECK_STR(render("{{#admin}}A{{/admin}}{{#zero}}Z{{/zero}}", c), "AZ",
	    "a section on true or the string \"0\" renders once");

	struct tdict *e = tdict_new(A);
	tdict_push(e, "full");
	CHECK_STR(render("{{^none}}no sessions{{/none}}", e), "no sessions",
	    "an inverted section renders when the key is missing");
	tdict_set_bool(e, "no", 0);
	tdict_set(e, "blank", "");
	tdict_set(e, "set", "x");
	CHECK_STR(render("[{{^no}}F{{/no}}{{^blank}}E{{/blank}}{{^set}}S{{/set}}{{^full}}L{{/full}}]", e),
	    "[FE]", "an inverted section renders for false and empty, not for a value or a list");

	struct tdict *pg = tdict_new(A);
	tdict_set_list(pg, "list");
	CHECK_STR(render("{{#list}}x{{/list}}{{^list}}empty{{/list}}", pg), "empty",
	    "an inverted section renders for an empty list");
	tdict_push(pg, "list");
	CHECK_STR(render("{{#list}}one{{/list}}{{^list}}empty{{/list}}", pg), "one",
	    "a list with one (empty) item renders the section once");
	struct tdict *it = tdict_push(pg, "sessions");
	tdict_set_list(it, "list");
	CHECK_STR(render("{{#sessions}}{{#list}}page's{{/list}}{{^list}}none{{/list}}{{/sessions}}", pg),
	    "none", "an item's empty list hides the page's list of that name");

	CHECK_STR(render("a{{! a comment with {braces} and\nnew lines }}b{{!}}c", d), "abc",
	    "comments render nothing");
	CHECK_STR(render("", d), "", "an empty template renders nothing");
	CHECK_STR(render("plain } { }} text", d), "plain } { }} text",
	    "stray braces are text");
}

static void test_parse_errors(void)
{
	CHECK_STR(parse_error("<p>\n<p>\n{{name\n</p>"), "page:3: unclosed tag: {{ without }}",
	    "unclosed tag error names the line");
	CHECK_STR(parse_error("{{#a}}\n{{#b}}\n{{/a}}\n{{/b}}"),
	    "page:3: {{/a}} does not close {{#b}} opened on line 2",
	    "mismatched section close is an error naming both lines");
	CHECK_STR(parse_error("\n\n{{^list}}\nx"), "page:3: unclosed section {{^list}}",
	    "an unclosed section names the line it was opened on");
	CHECK_STR(parse_error("x\n{{/a}}"), "page:2: {{/a}} closes no open section",
	    "a close without an open section is an error");
	CHECK_STR(parse_error("{{{name}}}"), "page:1: unknown tag sigil '{'",
	    "triple mustache is not supported: use {{&key}}");
	CHECK_STR(parse_error("{{=<% %>=}}"), "page:1: unknown tag sigil '='",
	    "delimiter changes are not supported");
	CHECK_STR(parse_error("{{! two\nlines }}\n{{ }}"), "page:3: empty tag {{}}",
	    "line numbers count the new lines inside comments");
	CHECK_STR(parse_error("{{a b}}"),
	    "page:1: bad key in {{a b}}: keys are [A-Za-z0-9_.-]+",
	    "a key with a space is an error");
	CHECK_STR(parse_error("{{#}}"), "page:1: bad key in {{#}}: keys are [A-Za-z0-9_.-]+",
	    "a section without a key is an error");
	CHECK_STR(parse_error("{{ user.full_name-2 }}{{#a.b}}{{/a.b}}"), "parsed",
	    "keys may hold letters, digits, _ . and -");

	char deep[TEMPLATE_MAX_NESTING * 12 + 16];
	deep[0] = '\0';
	for (int i = 0; i <= TEMPLATE_MAX_NESTING; i++)
		strcat(deep, "{{#a}}");
	CHECK_STR(parse_error(deep), "page:1: sections nested deeper than 64",
	    "sections nested too deep are an error");

	char err[8];
	CHECK(template_parse(A, "long-name", "{{", 2, err, sizeof err) == NULL &&
	    strlen(err) == sizeof err - 1, "a short error buffer is truncated, not overrun");
	CHECK(template_parse(A, "n", "{{", 2, NULL, 0) == NULL, "err may be NULL");
}

static void test_partials(void)
{
	add("p_greeting", "Hello {{name}}");
	add("p_list", "{{#people}}<{{>p_greeting}}>{{/people}}");
	struct tdict *d = tdict_new(A);
	tdict_set(d, "name", "<you>");
	CHECK_STR(render("{{>p_greeting}}!", d), "Hello &lt;you&gt;!",
	    "a partial is included with the current context");
	tdict_set(tdict_push(d, "people"), "name", "Ana");
	tdict_push(d, "people");
	CHECK_STR(render_named("p_list", d), "<Hello Ana><Hello &lt;you&gt;>",
	    "a partial inside a list sees the item, then the page");

	add("p_a", "a{{>p_b}}");
	add("p_b", "b{{#loop}}{{>p_a}}{{/loop}}");
	CHECK_STR(render_named("p_a", d), "ab", "a cycle not taken renders");
	tdict_set_bool(d, "loop", 1);
	CHECK_STR(render_named("p_a", d), "RENDER ERROR", "include cycle detected");
	CHECK_STR(render("{{>p_nowhere}}", d), "RENDER ERROR", "an unknown partial is an error");
	CHECK_STR(render_named("nowhere", d), "RENDER ERROR",
	    "rendering an unknown template is an error");

	char name[16], src[32];
	for (int i = 0; i <= TEMPLATE_MAX_INCLUDE + 1; i++) {
		snprintf(name, sizeof name, "deep%d", i);
		snprintf(src, sizeof src, "%d{{>deep%d}}", i, i + 1);
		add(name, i == TEMPLATE_MAX_INCLUDE + 1 ? "end" : src);
	}
	CHECK_STR(render_named("deep1", d), "12345678end",
	    "eight nested includes are allowed");
	CHECK_STR(render_named("deep0", d), "RENDER ERROR", "a ninth nested include is an error");
	template_unload();
	CHECK_STR(render("{{>p_greeting}}", d), "RENDER ERROR",
	    "template_unload forgets every template");
}

static void test_load_dir(void)
{
	char dir[] = "/tmp/test_template.XXXXXX";
	char err[512];
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	write_file(dir, "layout.html",
	    "<!doctype html>\n<title>{{title}}</title>\n"
	    "{{#user}}<form method=\"post\" action=\"/logout\">"
	    "<input type=\"hidden\" name=\"csrf\" value=\"{{csrf}}\"></form>{{/user}}\n"
	    "{{&body}}\n");
	write_file(dir, "dashboard.html", "{{>heading}}<ul>{{#exams}}<li>{{code}}</li>{{/exams}}</ul>");
	write_file(dir, "heading.html", "<h1>{{title}}</h1>");
	write_file(dir, "notes.txt", "{{ not a template");
	write_file(dir, ".#dashboard.html", "{{ editor lock file");

	CHECK(template_load_dir(dir, err, sizeof err) == 0, "template_load_dir loads a layout and a page");
	struct tdict *d = tdict_new(A);
	tdict_set(d, "title", "Dashboard & more");
	tdict_set(d, "user", "ana@x.eu");
	tdict_set(d, "csrf", "t0k\"en");
	tdict_set(tdict_push(d, "exams"), "code", "L1");
	tdict_set(tdict_push(d, "exams"), "code", "L3-ENDO");
	struct buf body;
	buf_init(&body, A);
	CHECK(template_render(&body, "dashboard", d) == 0, "the page renders");
	tdict_set(d, "body", body.data);
	CHECK_STR(render_named("layout", d),
	    "<!doctype html>\n<title>Dashboard &amp; more</title>\n"
	    "<form method=\"post\" action=\"/logout\">"
	    "<input type=\"hidden\" name=\"csrf\" value=\"t0k&quot;en\"></form>\n"
	    "<h1>Dashboard &amp; more</h1><ul><li>L1</li><li>L3-ENDO</li></ul>\n",
	    "the layout wraps the page body raw and escapes its own values");

	write_file(dir, "broken.html", "ok\n{{#a}}\n{{/b}}");
	CHECK(template_load_dir(dir, err, sizeof err) == -1, "a syntax error fails the load");
	CHECK_STR(err, arena_printf(A, "%s/broken.html:3: {{/b}} does not close {{#a}} opened on line 2", dir),
	    "the load error names file:line and the reason");
	CHECK_STR(render_named("heading", d), "<h1>Dashboard &amp; more</h1>",
	    "a failed load keeps the templates loaded before");
	remove_file(dir, "broken.html");

	write_file(dir, "orphan.html", "\n{{^x}}{{>missing}}{{/x}}");
	CHECK(template_load_dir(dir, err, sizeof err) == -1, "an unknown partial fails the load");
	CHECK_STR(err, arena_printf(A, "%s/orphan.html:2: {{>missing}}: no template missing.html", dir),
	    "even inside a section not rendered, the unknown partial is named");
	remove_file(dir, "orphan.html");

	write_file(dir, "x.html", "{{>y}}");
	write_file(dir, "y.html", "{{#a}}\n{{>x}}{{/a}}");
	CHECK(template_load_dir(dir, err, sizeof err) == -1, "an include cycle fails the load");
	CHECK_STR(err, arena_printf(A, "%s/y.html:2: {{>x}}: include cycle back to x", dir),
	    "the include cycle is named with its line");
	remove_file(dir, "x.html");
	remove_file(dir, "y.html");

	write_file(dir, "self.html", "{{>self}}");
	CHECK(template_load_dir(dir, err, sizeof err) == -1, "a template including itself fails the load");
	remove_file(dir, "self.html");

	char name[32], src[32];
	for (int i = 0; i <= TEMPLATE_MAX_INCLUDE + 1; i++) {
		snprintf(name, sizeof name, "deep%d.html", i);
		snprintf(src, sizeof src, "{{>deep%d}}", i + 1);
		write_file(dir, name, i == TEMPLATE_MAX_INCLUDE + 1 ? "end" : src);
	}
	CHECK(template_load_dir(dir, err, sizeof err) == -1, "includes nested deeper than 8 fail the load");
	CHECK_STR(err, arena_printf(A, "%s/deep0.html:1: {{>deep1}}: includes nested deeper than 8", dir),
	    "the too deep include is named");
	remove_file(dir, "deep0.html");
	CHECK(template_load_dir(dir, err, sizeof err) == 0, "eight nested includes load");
	for (int i = 1; i <= TEMPLATE_MAX_INCLUDE + 1; i++) {
		snprintf(name, sizeof name, "deep%d.html", i);
		remove_file(dir, name);
	}

	write_file(dir, "bad name.html", "x");
	CHECK(template_load_dir(dir, err, sizeof err) == -1, "a file name that is not a key fails the load");
	remove_file(dir, "bad name.html");

	CHECK(template_load_dir("/nonexistent/templates", err, sizeof err) == -1 &&
	    strstr(err, "/nonexistent/templates") != NULL, "a missing directory fails and is named");

	remove_file(dir, "layout.html");
	remove_file(dir, "dashboard.html");
	remove_file(dir, "heading.html");
	remove_file(dir, "notes.txt");
	remove_file(dir, ".#dashboard.html");
	CHECK(rmdir(dir) == 0, "the temporary directory is left empty");
	template_unload();
}

int main(void)
{
	A = arena_new();
	test_escaping();
	test_values();
	test_sections();
	test_parse_errors();
	test_partials();
	test_load_dir();
	template_unload();
	arena_free(A);
	CHECK_DONE();
}
