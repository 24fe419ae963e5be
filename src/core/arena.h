/* Per-request arena: handlers allocate, the worker resets after each request. */
#ifndef ESONR_ARENA_H
#define ESONR_ARENA_H
#include <stddef.h>
#include <stdarg.h>

struct arena;

struct arena *arena_new(void);
void arena_free(struct arena *a);
void arena_reset(struct arena *a);
/* Never returns NULL: out of memory aborts the worker (the parent restarts it). */
void *arena_alloc(struct arena *a, size_t n);
void *arena_zalloc(struct arena *a, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap);
/* Runs fn(p) at the next reset/free: how libpq results live no longer than a request. */
void arena_defer(struct arena *a, void (*fn)(void *), void *p);

#endif
