/* Growable byte buffer living in an arena: page bodies, SQL fragments, CSV lines. */
#ifndef ESONR_BUF_H
#define ESONR_BUF_H
#include <stddef.h>
#include "core/arena.h"

struct buf {
	struct arena *arena;
	char *data; /* always NUL-terminated */
	size_t len, cap;
};

void buf_init(struct buf *b, struct arena *a);
/* The same with room for cap - 1 bytes before it grows: a page's body (tens of KB) would
 * otherwise be copied at every doubling from 256 bytes. */
void buf_init_cap(struct buf *b, struct arena *a, size_t cap);
void buf_append(struct buf *b, const char *s, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The one HTML escaping writer: & < > " ' become entities. */
void buf_put_html(struct buf *b, const char *s);
void buf_put_html_n(struct buf *b, const char *s, size_t n);

#endif
