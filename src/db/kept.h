/* Copies of a page's answers that a process keeps between pages, filed under the versions
 * they were read at (the triggers of sql/056, 062, 063 and 065 move those versions in the
 * transaction of every change to what they cover). A page reads the versions in its own
 * round trip and its rows again only when one moved; the rows must be read no earlier than
 * the versions they are filed under (later is safe: a copy is then at least as new as its
 * versions say). */
#ifndef ESONR_KEPT_H
#define ESONR_KEPT_H
#include <stddef.h>
#include <libpq-fe.h>

#define KEPT_RESULTS 4
#define KEPT_VERSIONS 4
struct kept {
	long long key; /* whose (an account's id), or 0 for what every page shares */
	long long v[KEPT_VERSIONS];
	PGresult *res[KEPT_RESULTS]; /* res[0] NULL: the slot is empty */
};

/* The slot of table[size] for key, when it holds that key's copies (of any versions). */
struct kept *kept_of(struct kept *table, size_t size, long long key);
/* The same, only when filed under exactly versions v (KEPT_VERSIONS of them). */
struct kept *kept_current(struct kept *table, size_t size, long long key, const long long *v);
/* Files copies of res[0..n) for key under v, in key's slot (what it held is dropped);
 * NULL when out of memory (the slot is then empty). */
struct kept *kept_put(struct kept *table, size_t size, long long key, const long long *v,
    PGresult *const *res, int n);

#endif
