#include "core/arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK (64 * 1024)

struct chunk {
	struct chunk *next;
	size_t size, used;
	max_align_t data[];
};

struct deferred {
	struct deferred *next;
	void (*fn)(void *);
	void *p;
};

struct arena {
	struct chunk *head;   /* the chunk being filled; older ones follow */
	struct chunk *first;  /* kept across resets so small requests never malloc */
	struct deferred *deferred;
};

static void run_deferred(struct arena *a)
{
	/* Newest first, like a stack unwinding. */
	for (struct deferred *d = a->deferred; d != NULL; d = d->next)
		d->fn(d->p);
	a->deferred = NULL;
}

static struct chunk *chunk_new(size_t min)
{
	size_t size = min > ARENA_CHUNK ? min : ARENA_CHUNK;
	struct chunk *c = malloc(sizeof *c + size);
	if (c == NULL) {
		fputs("arena: out of memory\n", stderr);
		abort();
	}
	c->next = NULL;
	c->size = size;
	c->used = 0;
	return c;
}

struct arena *arena_new(void)
{
	struct arena *a = malloc(sizeof *a);
	if (a == NULL)
		abort();
	a->head = a->first = chunk_new(ARENA_CHUNK);
	a->deferred = NULL;
	return a;
}

void arena_free(struct arena *a)
{
	if (a == NULL)
		return;
	run_deferred(a);
	struct chunk *c = a->head;
	while (c != NULL) {
		struct chunk *next = c->next;
		free(c);
		c = next;
	}
	free(a);
}

/* Keeps the first chunk so that a steady stream of small requests never mallocs. */
void arena_reset(struct arena *a)
{
	run_deferred(a);
	struct chunk *c = a->head;
	while (c != NULL) {
		struct chunk *next = c->next;
		if (c != a->first)
			free(c);
		c = next;
	}
	a->head = a->first;
	a->first->next = NULL;
	a->first->used = 0;
}

void *arena_alloc(struct arena *a, size_t n)
{
	const size_t align = sizeof(max_align_t);
	if (n == 0)
		n = 1;
	if (n > SIZE_MAX - align)
		abort();
	n = (n + align - 1) & ~(align - 1);
	struct chunk *c = a->head;
	if (c->size - c->used < n) {
		struct chunk *fresh = chunk_new(n);
		fresh->used = n;
		if (n >= ARENA_CHUNK / 4) {
			/* A big block gets its own chunk behind the current one, which keeps filling. */
			fresh->next = c->next;
			c->next = fresh;
			return fresh->data;
		}
		fresh->next = c;
		a->head = fresh;
		return fresh->data;
	}
	void *p = (char *)c->data + c->used;
	c->used += n;
	return p;
}

void *arena_zalloc(struct arena *a, size_t n)
{
	void *p = arena_alloc(a, n);
	memset(p, 0, n);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

/* Formats once into a buffer of its own, and again only when the text is longer: most are
 * short (a page formats a few hundred), and formatting twice was most of their cost. */
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	char first[256];
	va_list copy;
	va_copy(copy, ap);
	int n = vsnprintf(first, sizeof first, fmt, copy);
	va_end(copy);
	if (n < 0)
		abort();
	char *p = arena_alloc(a, (size_t)n + 1);
	if ((size_t)n < sizeof first)
		memcpy(p, first, (size_t)n + 1);
	else
		vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

void arena_defer(struct arena *a, void (*fn)(void *), void *p)
{
	struct deferred *d = arena_alloc(a, sizeof *d);
	d->fn = fn;
	d->p = p;
	d->next = a->deferred;
	a->deferred = d;
}
