#include "db/kept.h"

#include <string.h>

static struct kept *slot(struct kept *table, size_t size, long long key)
{
	return &table[(unsigned long long)key % size];
}

struct kept *kept_of(struct kept *table, size_t size, long long key)
{
	struct kept *k = slot(table, size, key);
	return k->res[0] != NULL && k->key == key ? k : NULL;
}

struct kept *kept_current(struct kept *table, size_t size, long long key, const long long *v)
{
	struct kept *k = kept_of(table, size, key);
	return k != NULL && memcmp(k->v, v, sizeof k->v) == 0 ? k : NULL;
}

static void clear(struct kept *k)
{
	for (int i = 0; i < KEPT_RESULTS; i++) {
		PQclear(k->res[i]);
		k->res[i] = NULL;
	}
}

struct kept *kept_put(struct kept *table, size_t size, long long key, const long long *v,
    PGresult *const *res, int n)
{
	struct kept *k = slot(table, size, key);
	clear(k);
	if (n < 1 || n > KEPT_RESULTS)
		return NULL;
	for (int i = 0; i < n; i++)
		if ((k->res[i] = PQcopyResult(res[i], PG_COPYRES_ATTRS | PG_COPYRES_TUPLES)) == NULL) {
			clear(k);
			return NULL;
		}
	k->key = key;
	memcpy(k->v, v, sizeof k->v);
	return k;
}
