#include "sign/keylist.h"

#include <stdio.h>
#include <string.h>

static const char *const state_words[] = { "in-force", "retired", "compromised" };

const char *keylist_line(struct arena *a, const char *id, const char *public_hex, const char *from,
    const char *until, enum published_state state)
{
	return arena_printf(a, "key %s %s %s %s %s\n", id, public_hex, from, until ? until : "-",
	    state_words[state]);
}

static int is_utc_time(const char *s)
{
	/* 2026-12-01T22:10:05Z */
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	if (strlen(s) != sizeof shape - 1)
		return 0;
	for (size_t i = 0; shape[i]; i++)
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
			return 0;
	return 1;
}

static int parse_line(const char *line, struct published_key *k)
{
	char id[32], hex[80], from[32], until[32], state[32], extra[2];
	if (sscanf(line, "key %31s %79s %31s %31s %31s %1s", id, hex, from, until, state, extra) != 5 ||
	    strncmp(line, "key ", 4) != 0)
		return -1;
	if (key_from_public_hex(hex, &k->key) != 0 || strcmp(k->key.id, id) != 0 || !is_utc_time(from))
		return -1;
	int s = -1;
	for (int i = 0; i < 3; i++)
		if (strcmp(state, state_words[i]) == 0)
			s = i;
	if (s < 0)
		return -1;
	k->state = (enum published_state)s;
	if (strcmp(until, "-") == 0) {
		if (k->state != PUBLISHED_IN_FORCE)
			return -1;
		k->until[0] = '\0';
	} else {
		if (!is_utc_time(until) || k->state == PUBLISHED_IN_FORCE || strcmp(until, from) < 0)
			return -1;
		memcpy(k->until, until, sizeof k->until);
	}
	memcpy(k->from, from, sizeof k->from);
	return 0;
}

int keylist_parse(struct arena *a, const char *text, size_t len, struct keylist *out, const char **why)
{
	int cap = 0;
	for (size_t i = 0; i < len; i++)
		cap += text[i] == '\n';
	out->keys = arena_alloc(a, sizeof *out->keys * (size_t)(cap + 1));
	out->n = 0;
	size_t pos = 0, lineno = 0;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		lineno++;
		char line[256];
		if (n >= sizeof line || memchr(text + pos, '\0', n) != NULL) {
			*why = arena_printf(a, "line %zu of the key list is malformed", lineno);
			return -1;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		if (n > 0 && line[n - 1] == '\r')
			line[n - 1] = '\0';
		pos += n + (nl != NULL);
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (out->n > cap || parse_line(line, &out->keys[out->n]) != 0) {
			*why = arena_printf(a, "line %zu of the key list is malformed", lineno);
			return -1;
		}
		out->n++;
	}
	if (out->n == 0) {
		*why = "the key list holds no key";
		return -1;
	}
	return 0;
}

const struct published_key *keylist_find(const struct keylist *l, const char *id)
{
	for (int i = 0; i < l->n; i++)
		if (strcmp(l->keys[i].key.id, id) == 0)
			return &l->keys[i];
	return NULL;
}

const char *keylist_problem(struct arena *a, const struct published_key *k, const char *signed_at)
{
	if (k->state == PUBLISHED_COMPROMISED)
		return arena_printf(a, "signed with a compromised key (%s): ask the office for a reissue", k->key.id);
	if (signed_at[0] == '\0')
		return k->state == PUBLISHED_IN_FORCE ? NULL :
		    arena_printf(a, "the file does not say when it was signed, so it cannot be told whether "
		    "key %s signed it before its retirement on %s", k->key.id, k->until);
	if (strcmp(signed_at, k->from) < 0)
		return arena_printf(a, "it claims to be signed on %s, before key %s came into force (%s)",
		    signed_at, k->key.id, k->from);
	if (k->state == PUBLISHED_RETIRED && strcmp(signed_at, k->until) >= 0)
		return arena_printf(a, "it claims to be signed on %s, after key %s was retired (%s)",
		    signed_at, k->key.id, k->until);
	return NULL;
}
