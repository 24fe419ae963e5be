#include "core/template.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A template file bigger than this is a mistake, not a page. */
#define TEMPLATE_MAX_FILE (1024 * 1024)

/* Dictionaries */

enum tval {
	TVAL_STR,
	TVAL_BOOL,
	TVAL_LIST,
};

struct tentry {
	const char *key;
	unsigned hash;		/* of key (key_hash): most comparisons stop there */
	enum tval kind;
	const char *str;	/* TVAL_STR; NULL when set empty */
	int on;			/* TVAL_BOOL */
	struct tdict **items;	/* TVAL_LIST */
	size_t nitems, capitems;
};

struct tdict {
	struct arena *arena;
	const struct tdict *parent;
	struct tentry *ents;
	size_t n, cap;
};

struct tdict *tdict_new(struct arena *a)
{
	struct tdict *d = arena_zalloc(a, sizeof *d);
	d->arena = a;
	return d;
}

/* FNV-1a: a page looks up hundreds of keys through nested dictionaries, and comparing
 * whole strings was a tenth of the portal's time on the largest pages. */
static unsigned key_hash(const char *key)
{
	unsigned h = 2166136261u;
	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		h = (h ^ *p) * 16777619u;
	return h;
}

static struct tentry *tdict_find_h(const struct tdict *d, const char *key, unsigned hash)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->ents[i].hash == hash && strcmp(d->ents[i].key, key) == 0)
			return &d->ents[i];
	return NULL;
}

static struct tentry *tdict_find(const struct tdict *d, const char *key)
{
	return tdict_find_h(d, key, key_hash(key));
}

/* Finds or appends the entry for key, cleared to an empty string; a new entry's key is
 * copied unless keep_key (the caller's outlives d). */
static struct tentry *tdict_slot_k(struct tdict *d, const char *key, int keep_key)
{
	unsigned hash = key_hash(key);
	struct tentry *e = tdict_find_h(d, key, hash);
	if (e == NULL) {
		if (d->n == d->cap) {
			size_t cap = d->cap ? d->cap * 2 : 8;
			struct tentry *ents = arena_alloc(d->arena, cap * sizeof *ents);
			if (d->n > 0)
				memcpy(ents, d->ents, d->n * sizeof *ents);
			d->ents = ents;
			d->cap = cap;
		}
		e = &d->ents[d->n++];
		e->key = keep_key ? key : arena_strdup(d->arena, key);
		e->hash = hash;
	}
	e->kind = TVAL_STR;
	e->str = NULL;
	e->on = 0;
	e->items = NULL;
	e->nitems = e->capitems = 0;
	return e;
}

static struct tentry *tdict_slot(struct tdict *d, const char *key)
{
	return tdict_slot_k(d, key, 0);
}

void tdict_set_ref(struct tdict *d, const char *key, const char *value)
{
	tdict_slot_k(d, key, 1)->str = value;
}

void tdict_set(struct tdict *d, const char *key, const char *value)
{
	struct tentry *e = tdict_slot(d, key);
	if (value != NULL)
		e->str = arena_strdup(d->arena, value);
}

void tdict_setf(struct tdict *d, const char *key, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *value = arena_vprintf(d->arena, fmt, ap);
	va_end(ap);
	tdict_slot(d, key)->str = value;
}

void tdict_set_bool(struct tdict *d, const char *key, int on)
{
	struct tentry *e = tdict_slot(d, key);
	e->kind = TVAL_BOOL;
	e->on = on != 0;
}

void tdict_set_int(struct tdict *d, const char *key, long long v)
{
	tdict_setf(d, key, "%lld", v);
}

void tdict_set_list(struct tdict *d, const char *list_key)
{
	tdict_slot(d, list_key)->kind = TVAL_LIST;
}

struct tdict *tdict_push(struct tdict *d, const char *list_key)
{
	struct tentry *e = tdict_find(d, list_key);
	if (e == NULL || e->kind != TVAL_LIST) {
		e = tdict_slot(d, list_key);
		e->kind = TVAL_LIST;
	}
	if (e->nitems == e->capitems) {
		size_t cap = e->capitems ? e->capitems * 2 : 8;
		struct tdict **items = arena_alloc(d->arena, cap * sizeof *items);
		if (e->nitems > 0)
			memcpy(items, e->items, e->nitems * sizeof *items);
		e->items = items;
		e->capitems = cap;
	}
	struct tdict *item = tdict_new(d->arena);
	item->parent = d;
	e->items[e->nitems++] = item;
	return item;
}

static const char *tentry_str(const struct tentry *e)
{
	if (e == NULL)
		return NULL;
	switch (e->kind) {
	case TVAL_STR:
		return e->str;
	case TVAL_BOOL:
		return e->on ? "true" : "false";
	case TVAL_LIST:
		break;
	}
	return NULL;
}

static int tentry_true(const struct tentry *e)
{
	if (e == NULL)
		return 0;
	switch (e->kind) {
	case TVAL_STR:
		return e->str != NULL && e->str[0] != '\0';
	case TVAL_BOOL:
		return e->on;
	case TVAL_LIST:
		return e->nitems > 0;
	}
	return 0;
}

const char *tdict_get(const struct tdict *d, const char *key)
{
	for (; d != NULL; d = d->parent) {
		const struct tentry *e = tdict_find(d, key);
		if (e != NULL)
			return tentry_str(e);
	}
	return NULL;
}

/* Parsing */

enum tnode_kind {
	TN_TEXT,
	TN_VAR,
	TN_RAW,
	TN_SECTION,
	TN_INVERTED,
	TN_PARTIAL,
};

struct tnode {
	enum tnode_kind kind;
	const char *s;		/* text bytes, key or partial name */
	size_t len;		/* of s */
	size_t end;		/* sections: index just past the section's last node */
	size_t line;
	unsigned hash;		/* keys: key_hash(s) */
};

struct template {
	const char *name;
	const char *where;	/* file name for start-up errors */
	struct tnode *nodes;
	size_t n;
};

struct parser {
	struct arena *arena;
	const char *where;
	char *err;
	size_t errlen;
	struct tnode *nodes;
	size_t n, cap;
};

static void errorf(char *err, size_t errlen, const char *where, size_t line,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void errorf(char *err, size_t errlen, const char *where, size_t line,
    const char *fmt, ...)
{
	if (err == NULL || errlen == 0)
		return;
	int n = snprintf(err, errlen, "%s:%zu: ", where, line);
	if (n < 0 || (size_t)n >= errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

static struct tnode *node_add(struct parser *p, enum tnode_kind kind, const char *s,
    size_t len, size_t line)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 32;
		struct tnode *nodes = arena_alloc(p->arena, cap * sizeof *nodes);
		if (p->n > 0)
			memcpy(nodes, p->nodes, p->n * sizeof *nodes);
		p->nodes = nodes;
		p->cap = cap;
	}
	struct tnode *n = &p->nodes[p->n++];
	n->kind = kind;
	n->s = s;
	n->len = len;
	n->end = 0;
	n->line = line;
	n->hash = kind == TN_TEXT ? 0 : key_hash(s); /* keys are NUL-terminated copies */
	return n;
}

static size_t count_lines(const char *s, size_t len)
{
	size_t lines = 0;
	const char *end = s + len, *nl;
	while (s < end && (nl = memchr(s, '\n', (size_t)(end - s))) != NULL) {
		lines++;
		s = nl + 1;
	}
	return lines;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

/* Shortens a key quoted in an error message. */
static int quote_len(size_t len)
{
	return len > 64 ? 64 : (int)len;
}

/* Parses the inside of one tag, [b, e), opened on line; 0 ok, -1 with p->err set. */
static int parse_tag(struct parser *p, const char *b, const char *e, size_t line,
    size_t *open, size_t *depth)
{
	const char *start = b;
	while (b < e && is_space(*b))
		b++;
	if (b == e) {
		errorf(p->err, p->errlen, p->where, line, "empty tag {{}}");
		return -1;
	}
	char sigil = *b;
	if (sigil == '!')
		return 0;
	if (sigil == '#' || sigil == '^' || sigil == '/' || sigil == '&' || sigil == '>')
		b++;
	else if (!is_key_char(sigil)) {
		unsigned char u = (unsigned char)sigil;
		if (u > 0x20 && u < 0x7f)
			errorf(p->err, p->errlen, p->where, line, "unknown tag sigil '%c'", sigil);
		else
			errorf(p->err, p->errlen, p->where, line, "unknown tag sigil 0x%02x", u);
		return -1;
	} else
		sigil = '\0';
	while (b < e && is_space(*b))
		b++;
	const char *key = b;
	while (b < e && is_key_char(*b))
		b++;
	size_t klen = (size_t)(b - key);
	while (b < e && is_space(*b))
		b++;
	if (klen == 0 || b != e) {
		errorf(p->err, p->errlen, p->where, line,
		    "bad key in {{%.*s}}: keys are [A-Za-z0-9_.-]+",
		    quote_len((size_t)(e - start)), start);
		return -1;
	}
	const char *k = arena_strndup(p->arena, key, klen);

	switch (sigil) {
	case '#':
	case '^':
		if (*depth == TEMPLATE_MAX_NESTING) {
			errorf(p->err, p->errlen, p->where, line,
			    "sections nested deeper than %d", TEMPLATE_MAX_NESTING);
			return -1;
		}
		node_add(p, sigil == '#' ? TN_SECTION : TN_INVERTED, k, klen, line);
		open[(*depth)++] = p->n - 1;
		return 0;
	case '/': {
		if (*depth == 0) {
			errorf(p->err, p->errlen, p->where, line,
			    "{{/%.*s}} closes no open section", quote_len(klen), k);
			return -1;
		}
		struct tnode *sec = &p->nodes[open[*depth - 1]];
		if (strcmp(sec->s, k) != 0) {
			errorf(p->err, p->errlen, p->where, line,
			    "{{/%.*s}} does not close {{%c%.*s}} opened on line %zu",
			    quote_len(klen), k, sec->kind == TN_SECTION ? '#' : '^',
			    quote_len(sec->len), sec->s, sec->line);
			return -1;
		}
		sec->end = p->n;
		(*depth)--;
		return 0;
	}
	case '&':
		node_add(p, TN_RAW, k, klen, line);
		return 0;
	case '>':
		node_add(p, TN_PARTIAL, k, klen, line);
		return 0;
	default:
		node_add(p, TN_VAR, k, klen, line);
		return 0;
	}
}

static struct template *parse(struct arena *a, const char *name, const char *where,
    const char *src, size_t len, char *err, size_t errlen)
{
	struct parser p = {
		.arena = a, .where = where, .err = err, .errlen = errlen,
	};
	size_t open[TEMPLATE_MAX_NESTING];
	size_t depth = 0, line = 1, i = 0;
	/* Text nodes point into this copy, so callers may free src. */
	const char *s = arena_strndup(a, len > 0 ? src : "", len);

	while (i < len) {
		const char *o = memmem(s + i, len - i, "{{", 2);
		size_t start = o != NULL ? (size_t)(o - s) : len;
		if (start > i) {
			node_add(&p, TN_TEXT, s + i, start - i, line);
			line += count_lines(s + i, start - i);
		}
		if (o == NULL)
			break;
		const char *b = o + 2;
		const char *c = memmem(b, len - start - 2, "}}", 2);
		if (c == NULL) {
			errorf(err, errlen, where, line, "unclosed tag: {{ without }}");
			return NULL;
		}
		if (parse_tag(&p, b, c, line, open, &depth) == -1)
			return NULL;
		line += count_lines(b, (size_t)(c - b));
		i = (size_t)(c - s) + 2;
	}
	if (depth > 0) {
		const struct tnode *sec = &p.nodes[open[depth - 1]];
		errorf(err, errlen, where, sec->line, "unclosed section {{%c%.*s}}",
		    sec->kind == TN_SECTION ? '#' : '^', quote_len(sec->len), sec->s);
		return NULL;
	}

	struct template *t = arena_alloc(a, sizeof *t);
	t->name = arena_strdup(a, name);
	t->where = arena_strdup(a, where);
	t->nodes = p.nodes;
	t->n = p.n;
	return t;
}

struct template *template_parse(struct arena *a, const char *name, const char *src,
    size_t len, char *err, size_t errlen)
{
	return parse(a, name, name, src, len, err, errlen);
}

/* The process-wide table */

struct ttable {
	struct arena *arena;
	struct template **v;
	size_t n, cap;
};

static struct ttable table;

static struct template *ttable_find(const struct ttable *tb, const char *name)
{
	for (size_t i = 0; i < tb->n; i++)
		if (strcmp(tb->v[i]->name, name) == 0)
			return tb->v[i];
	return NULL;
}

static size_t ttable_index(const struct ttable *tb, const struct template *t)
{
	size_t i = 0;
	while (i < tb->n && tb->v[i] != t)
		i++;
	return i;
}

static void ttable_free(struct ttable *tb)
{
	arena_free(tb->arena);
	free(tb->v);
	memset(tb, 0, sizeof *tb);
}

static int ttable_put(struct ttable *tb, struct template *t)
{
	for (size_t i = 0; i < tb->n; i++)
		if (strcmp(tb->v[i]->name, t->name) == 0) {
			tb->v[i] = t;
			return 0;
		}
	if (tb->n == tb->cap) {
		size_t cap = tb->cap ? tb->cap * 2 : 32;
		struct template **v = realloc(tb->v, cap * sizeof *v);
		if (v == NULL)
			return -1;
		tb->v = v;
		tb->cap = cap;
	}
	tb->v[tb->n++] = t;
	return 0;
}

enum { UNSEEN, VISITING, DONE };

/*
 * Longest include chain below template i, depth-first; meeting a template still
 * being visited is a cycle. Partials inside false sections count too: start-up
 * is where a broken page should fail, not the one request that reaches it.
 */
static int include_height(const struct ttable *tb, size_t i, int *state, int *height,
    char *err, size_t errlen)
{
	if (state[i] == DONE)
		return height[i];
	const struct template *t = tb->v[i];
	int h = 0;
	state[i] = VISITING;
	for (size_t k = 0; k < t->n; k++) {
		const struct tnode *n = &t->nodes[k];
		if (n->kind != TN_PARTIAL)
			continue;
		const struct template *p = ttable_find(tb, n->s);
		if (p == NULL) {
			errorf(err, errlen, t->where, n->line,
			    "{{>%s}}: no template %s.html", n->s, n->s);
			return -1;
		}
		size_t j = ttable_index(tb, p);
		if (state[j] == VISITING) {
			errorf(err, errlen, t->where, n->line,
			    "{{>%s}}: include cycle back to %s", n->s, n->s);
			return -1;
		}
		int hp = include_height(tb, j, state, height, err, errlen);
		if (hp < 0)
			return -1;
		if (hp + 1 > TEMPLATE_MAX_INCLUDE) {
			errorf(err, errlen, t->where, n->line,
			    "{{>%s}}: includes nested deeper than %d", n->s,
			    TEMPLATE_MAX_INCLUDE);
			return -1;
		}
		if (hp + 1 > h)
			h = hp + 1;
	}
	state[i] = DONE;
	height[i] = h;
	return h;
}

static int ttable_check(const struct ttable *tb, char *err, size_t errlen)
{
	if (tb->n == 0)
		return 0;
	int *state = calloc(tb->n, sizeof *state);
	int *height = calloc(tb->n, sizeof *height);
	int rc = 0;
	if (state == NULL || height == NULL) {
		snprintf(err, errlen, "templates: out of memory");
		rc = -1;
	}
	for (size_t i = 0; rc == 0 && i < tb->n; i++)
		if (include_height(tb, i, state, height, err, errlen) < 0)
			rc = -1;
	free(state);
	free(height);
	return rc;
}

/* Reads a whole file into a malloc'd buffer; NULL with err set. */
static char *read_file(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	char *data = malloc(TEMPLATE_MAX_FILE + 1);
	size_t n = data != NULL ? fread(data, 1, TEMPLATE_MAX_FILE + 1, f) : 0;
	int bad = data == NULL || ferror(f);
	fclose(f);
	if (bad) {
		snprintf(err, errlen, "%s: cannot read", path);
		free(data);
		return NULL;
	}
	if (n > TEMPLATE_MAX_FILE) {
		snprintf(err, errlen, "%s: larger than %d bytes", path, TEMPLATE_MAX_FILE);
		free(data);
		return NULL;
	}
	*len = n;
	return data;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted "*.html" file names of dir, or NULL with err set; *n may be 0. */
static char **list_html(const char *dir, size_t *n, char *err, size_t errlen)
{
	DIR *dp = opendir(dir);
	if (dp == NULL) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return NULL;
	}
	char **names = NULL;
	size_t cap = 0;
	struct dirent *de;
	*n = 0;
	while ((de = readdir(dp)) != NULL) {
		size_t len = strlen(de->d_name);
		/* Dot files are editor droppings, not pages. */
		if (de->d_name[0] == '.' || len <= 5 ||
		    strcmp(de->d_name + len - 5, ".html") != 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 32;
			char **v = realloc(names, cap * sizeof *v);
			if (v == NULL)
				goto oom;
			names = v;
		}
		if ((names[*n] = strdup(de->d_name)) == NULL)
			goto oom;
		(*n)++;
	}
	closedir(dp);
	if (names == NULL && (names = malloc(sizeof *names)) == NULL)
		goto oom_closed;
	qsort(names, *n, sizeof *names, name_cmp);
	return names;
oom:
	closedir(dp);
oom_closed:
	for (size_t i = 0; i < *n; i++)
		free(names[i]);
	free(names);
	snprintf(err, errlen, "%s: out of memory", dir);
	return NULL;
}

int template_load_dir(const char *dir, char *err, size_t errlen)
{
	struct ttable tb = { .arena = arena_new() };
	size_t n;
	char **names = list_html(dir, &n, err, errlen);
	int rc = names != NULL ? 0 : -1;

	for (size_t i = 0; rc == 0 && i < n; i++) {
		size_t flen = strlen(names[i]);
		char *stem = arena_strndup(tb.arena, names[i], flen - 5);
		char *where = arena_printf(tb.arena, "%s/%s", dir, names[i]);
		for (const char *c = stem; *c != '\0'; c++)
			if (!is_key_char(*c)) {
				snprintf(err, errlen, "%s: template names are [A-Za-z0-9_.-]+",
				    where);
				rc = -1;
				break;
			}
		size_t len;
		char *src = rc == 0 ? read_file(where, &len, err, errlen) : NULL;
		if (src == NULL) {
			rc = -1;
			break;
		}
		struct template *t = parse(tb.arena, stem, where, src, len, err, errlen);
		free(src);
		if (t == NULL || ttable_put(&tb, t) == -1) {
			if (t != NULL)
				snprintf(err, errlen, "%s: out of memory", where);
			rc = -1;
		}
	}
	if (names != NULL) {
		for (size_t i = 0; i < n; i++)
			free(names[i]);
		free(names);
	}
	if (rc == 0)
		rc = ttable_check(&tb, err, errlen);
	if (rc == -1) {
		ttable_free(&tb);
		return -1;
	}
	ttable_free(&table);
	table = tb;
	return 0;
}

int template_add(const char *name, const char *src, size_t len, char *err, size_t errlen)
{
	if (table.arena == NULL)
		table.arena = arena_new();
	struct template *t = parse(table.arena, name, name, src, len, err, errlen);
	if (t == NULL)
		return -1;
	if (ttable_put(&table, t) == -1) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -1;
	}
	return 0;
}

void template_unload(void)
{
	ttable_free(&table);
}

/* Rendering */

/* One dictionary on the context stack: lookups go from the innermost frame outwards. */
struct frame {
	const struct tdict *d;
	const struct frame *up;
};

struct render {
	struct buf *out;
	int text; /* plain text (mail): {{key}} unescaped */
	const struct template *stack[TEMPLATE_MAX_INCLUDE + 1];
	size_t depth;
};

static const struct tentry *lookup(const struct frame *f, const char *key, unsigned hash)
{
	for (; f != NULL; f = f->up) {
		/* The outermost dict also falls back to the dicts it was pushed from. */
		for (const struct tdict *d = f->d; d != NULL;
		    d = f->up == NULL ? d->parent : NULL) {
			const struct tentry *e = tdict_find_h(d, key, hash);
			if (e != NULL)
				return e;
		}
	}
	return NULL;
}

static int render_nodes(struct render *r, const struct template *t, size_t from,
    size_t to, const struct frame *f);

static int render_partial(struct render *r, const char *name, const struct frame *f)
{
	const struct template *p = ttable_find(&table, name);
	if (p == NULL || r->depth > TEMPLATE_MAX_INCLUDE)
		return -1;
	for (size_t k = 0; k < r->depth; k++)
		if (r->stack[k] == p)
			return -1;
	r->stack[r->depth++] = p;
	int rc = render_nodes(r, p, 0, p->n, f);
	r->depth--;
	return rc;
}

static int render_nodes(struct render *r, const struct template *t, size_t from,
    size_t to, const struct frame *f)
{
	size_t i = from;
	while (i < to) {
		const struct tnode *n = &t->nodes[i];
		const struct tentry *e;
		const char *v;
		switch (n->kind) {
		case TN_TEXT:
			buf_append(r->out, n->s, n->len);
			i++;
			break;
		case TN_VAR:
		case TN_RAW:
			if ((v = tentry_str(lookup(f, n->s, n->hash))) != NULL) {
				if (n->kind == TN_VAR && !r->text)
					buf_put_html(r->out, v);
				else
					buf_puts(r->out, v);
			}
			i++;
			break;
		case TN_SECTION:
			e = lookup(f, n->s, n->hash);
			if (e != NULL && e->kind == TVAL_LIST) {
				for (size_t k = 0; k < e->nitems; k++) {
					struct frame item = { e->items[k], f };
					if (render_nodes(r, t, i + 1, n->end, &item) == -1)
						return -1;
				}
			} else if (tentry_true(e) &&
			    render_nodes(r, t, i + 1, n->end, f) == -1)
				return -1;
			i = n->end;
			break;
		case TN_INVERTED:
			if (!tentry_true(lookup(f, n->s, n->hash)) &&
			    render_nodes(r, t, i + 1, n->end, f) == -1)
				return -1;
			i = n->end;
			break;
		case TN_PARTIAL:
			if (render_partial(r, n->s, f) == -1)
				return -1;
			i++;
			break;
		}
	}
	return 0;
}

int template_render_parsed(struct buf *out, const struct template *t, const struct tdict *d)
{
	struct render r = { .out = out, .stack = { t }, .depth = 1 };
	struct frame top = { d, NULL };
	return render_nodes(&r, t, 0, t->n, &top);
}

int template_render(struct buf *out, const char *name, const struct tdict *d)
{
	const struct template *t = ttable_find(&table, name);
	if (t == NULL)
		return -1;
	return template_render_parsed(out, t, d);
}

int template_render_text(struct buf *out, const char *name, const struct tdict *d)
{
	const struct template *t = ttable_find(&table, name);
	if (t == NULL)
		return -1;
	struct render r = { .out = out, .text = 1, .stack = { t }, .depth = 1 };
	struct frame top = { d, NULL };
	return render_nodes(&r, t, 0, t->n, &top);
}
