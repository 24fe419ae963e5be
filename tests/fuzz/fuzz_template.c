/*
 * Fuzz target: parse the input as a template and render it with a fixed dictionary.
 * libFuzzer: clang -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc \
 *	src/core/arena.c src/core/buf.c src/core/template.c tests/fuzz/fuzz_template.c
 * Replay (crashers, corpus): without "fuzzer,", linked with tests/fuzz/replay.c; FILE... as arguments.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct arena *arena;

/* Partials the input may include: plain, list-walking and cyclic ones. */
static void setup(void)
{
	static const char *partials[][2] = {
		{ "name", "<b>{{name}}</b>" },
		{ "rows", "{{#items}}[{{>name}}{{^no}}{{&raw}}{{/no}}]{{/items}}" },
		{ "loop", "{{#yes}}{{>loop}}{{/yes}}" },
		{ "ping", "ping{{>pong}}" },
		{ "pong", "pong{{#items}}{{>ping}}{{/items}}" },
	};
	char err[256];
	arena = arena_new();
	for (size_t i = 0; i < sizeof partials / sizeof partials[0]; i++)
		if (template_add(partials[i][0], partials[i][1], strlen(partials[i][1]),
		    err, sizeof err) == -1) {
			fprintf(stderr, "fuzz_template: %s\n", err);
			abort();
		}
}

/*
 * Each item hides the page's lists, so nested sections cannot multiply
 * without bound: the fuzzer should hunt bugs, not exponential output.
 */
static struct tdict *fixed_dict(struct arena *a)
{
	static const char *lists[] = { "items", "sub", "empty" };
	struct tdict *d = tdict_new(a);
	tdict_set(d, "name", "<script>\"O'Brien\" & co</script>");
	tdict_set(d, "raw", "<i>raw</i>");
	tdict_set(d, "blank", "");
	tdict_set(d, "unset", NULL);
	tdict_set_bool(d, "yes", 1);
	tdict_set_bool(d, "no", 0);
	tdict_set_int(d, "n", -42);
	tdict_set_list(d, "empty");
	for (int i = 0; i < 2; i++) {
		struct tdict *it = tdict_push(d, "items");
		tdict_setf(it, "name", "item %d", i);
		for (size_t k = 0; k < sizeof lists / sizeof lists[0]; k++)
			tdict_set(it, lists[k], NULL);
		for (int j = 0; j < 2; j++) {
			struct tdict *sub = tdict_push(it, "sub");
			tdict_setf(sub, "v", "%d.%d", i, j);
			for (size_t k = 0; k < sizeof lists / sizeof lists[0]; k++)
				tdict_set(sub, lists[k], NULL);
		}
	}
	return d;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	if (arena == NULL)
		setup();
	arena_reset(arena);
	struct template *t = template_parse(arena, "fuzz", (const char *)data, size,
	    err, sizeof err);
	if (t == NULL) {
		/* Every error must say where: "fuzz:LINE: reason". */
		if (strncmp(err, "fuzz:", 5) != 0)
			abort();
		return 0;
	}
	struct buf out;
	buf_init(&out, arena);
	/* -1 (a cyclic or unknown partial) is a fine outcome; crashes and leaks are not. */
	(void)template_render_parsed(&out, t, fixed_dict(arena));
	return 0;
}
