#include "core/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void buf_init(struct buf *b, struct arena *a)
{
	buf_init_cap(b, a, 256);
}

void buf_init_cap(struct buf *b, struct arena *a, size_t cap)
{
	b->arena = a;
	b->cap = cap > 0 ? cap : 1;
	b->len = 0;
	b->data = arena_alloc(a, b->cap);
	b->data[0] = '\0';
}

static void buf_reserve(struct buf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap * 2;
	while (cap < b->len + extra + 1)
		cap *= 2;
	char *p = arena_alloc(b->arena, cap);
	memcpy(p, b->data, b->len + 1);
	b->data = p;
	b->cap = cap;
}

void buf_append(struct buf *b, const char *s, size_t n)
{
	buf_reserve(b, n);
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void buf_puts(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

void buf_putc(struct buf *b, char c)
{
	buf_append(b, &c, 1);
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap, copy;
	va_start(ap, fmt);
	va_copy(copy, ap);
	int n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n > 0) {
		buf_reserve(b, (size_t)n);
		vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
		b->len += (size_t)n;
	}
	va_end(ap);
}

void buf_put_html_n(struct buf *b, const char *s, size_t n)
{
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		const char *ent = NULL;
		switch (s[i]) {
		case '&': ent = "&amp;"; break;
		case '<': ent = "&lt;"; break;
		case '>': ent = "&gt;"; break;
		case '"': ent = "&quot;"; break;
		case '\'': ent = "&#39;"; break;
		default: continue;
		}
		buf_append(b, s + start, i - start);
		buf_puts(b, ent);
		start = i + 1;
	}
	buf_append(b, s + start, n - start);
}

void buf_put_html(struct buf *b, const char *s)
{
	/* Runs without a special character are copied whole (strcspn is vectorised). */
	for (;;) {
		size_t run = strcspn(s, "&<>\"'");
		buf_append(b, s, run);
		s += run;
		if (*s == '\0')
			return;
		buf_put_html_n(b, s, 1);
		s++;
	}
}
