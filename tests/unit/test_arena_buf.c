/* The per-request arena and the growable buffer on top of it: what every handler relies on
 * to allocate without free, and the one HTML escaping writer. */
#include <malloc.h>
#include <stdint.h>

#include "check.h"
#include "core/arena.h"
#include "core/buf.h"

#ifdef __SANITIZE_ADDRESS__
/* From <sanitizer/allocator_interface.h>, which this toolchain does not install. */
size_t __sanitizer_get_current_allocated_bytes(void);
static size_t heap_in_use(void) { return __sanitizer_get_current_allocated_bytes(); }
#else
static size_t heap_in_use(void) { return mallinfo2().uordblks; }
#endif

static char order[8];
static size_t norder;

static void note(void *p)
{
	if (norder < sizeof order - 1)
		order[norder++] = *(const char *)p;
	order[norder] = '\0';
}

static void arena_checks(void)
{
	struct arena *a = arena_new();

	static const char first = '1', second = '2', third = '3';
	arena_defer(a, note, (void *)&first);
	arena_defer(a, note, (void *)&second);
	arena_defer(a, note, (void *)&third);
	CHECK(norder == 0, "deferred clean-ups do not run before the reset");
	arena_reset(a);
	CHECK_STR(order, "321", "at reset the deferred clean-ups run newest first");
	arena_reset(a);
	CHECK_STR(order, "321", "a second reset does not run them again");

	norder = 0;
	order[0] = '\0';
	arena_defer(a, note, (void *)&first);
	(void)arena_alloc(a, 200 * 1024); /* a clean-up registered before a big allocation */
	arena_defer(a, note, (void *)&second);
	arena_reset(a);
	CHECK_STR(order, "21", "clean-ups registered around a big allocation all run, newest first");

	char *big = arena_alloc(a, 1024 * 1024);
	memset(big, 'x', 1024 * 1024);
	char *small = arena_strdup(a, "still here");
	CHECK(big[0] == 'x' && big[1024 * 1024 - 1] == 'x', "an allocation of 1 MiB (more than one 64 KiB chunk) is usable end to end");
	CHECK_STR(small, "still here", "small allocations still work after a big one");
	CHECK(small < big || small >= big + 1024 * 1024, "a small allocation never lands inside the big one");
	arena_reset(a);
	big = arena_alloc(a, 70 * 1024);
	memset(big, 'y', 70 * 1024);
	CHECK(big[70 * 1024 - 1] == 'y', "after a reset, an allocation just over 64 KiB works again");

	int aligned = 1, intact = 1;
	char *blocks[3000];
	for (int i = 0; i < 3000; i++) {
		blocks[i] = arena_alloc(a, (size_t)(i % 37) + 1);
		if ((uintptr_t)blocks[i] % _Alignof(max_align_t) != 0)
			aligned = 0;
		memset(blocks[i], i & 0x7f, (size_t)(i % 37) + 1);
	}
	for (int i = 0; i < 3000; i++)
		for (int j = 0; j < i % 37 + 1; j++)
			if (blocks[i][j] != (char)(i & 0x7f))
				intact = 0;
	CHECK(aligned, "every allocation is aligned for any type");
	CHECK(intact, "thousands of small allocations never overlap");

	int zero = 1;
	unsigned char *z = arena_zalloc(a, 500);
	for (int i = 0; i < 500; i++)
		if (z[i] != 0)
			zero = 0;
	CHECK(zero, "arena_zalloc gives zeroed memory");
	CHECK(arena_alloc(a, 0) != NULL, "an allocation of zero bytes gives a usable pointer");
	CHECK_STR(arena_strndup(a, "Νίκος Παπαδόπουλος", 10), "Νίκος", "arena_strndup copies the bytes asked for and terminates them");
	CHECK_STR(arena_printf(a, "%s-%s-%d-%04d", "ESNR", "L1", 2027, 1), "ESNR-L1-2027-0001", "arena_printf formats a certificate number");
	char longer[1000];
	memset(longer, 'x', sizeof longer - 1);
	longer[sizeof longer - 1] = '\0';
	int whole = 1;
	for (size_t len = 250; len < 262; len++) {
		char *t = arena_printf(a, "%.*s|", (int)len, longer);
		whole &= strlen(t) == len + 1 && t[len] == '|' && strspn(t, "x") == len;
	}
	CHECK(whole, "arena_printf keeps every byte of texts just shorter and longer than its first buffer");
	CHECK(strlen(arena_printf(a, "%s%s", longer, longer)) == 2 * (sizeof longer - 1), "and of a far longer one");

	/* Bug in src/core/arena.c:101-108: once the first chunk is full, each allocation, however
	 * small, gets a chunk of its own of at least 64 KiB, and later ones never reuse it. */
	arena_reset(a);
	(void)arena_alloc(a, 64 * 1024);
	size_t before = heap_in_use();
	for (int i = 0; i < 1000; i++)
		(void)arena_alloc(a, 32);
	size_t grown = heap_in_use() - before;
	CHECK(grown < 1024 * 1024,
	    "1000 allocations of 32 bytes after the first chunk is full cost less than 1 MiB of heap");
	arena_reset(a);

	norder = 0;
	order[0] = '\0';
	arena_defer(a, note, (void *)&first);
	arena_defer(a, note, (void *)&second);
	arena_free(a);
	CHECK_STR(order, "21", "arena_free runs the pending clean-ups too, newest first");
	arena_free(NULL);
	CHECK(1, "arena_free(NULL) does nothing");
}

static const char *html(struct arena *a, const char *s)
{
	struct buf b;
	buf_init(&b, a);
	buf_put_html(&b, s);
	return b.data;
}

static void buf_checks(void)
{
	struct arena *a = arena_new();
	struct buf b;
	buf_init(&b, a);
	CHECK(b.data != NULL && b.data[0] == '\0' && b.len == 0, "a new buffer is an empty string");

	CHECK_STR(html(a, "<script>alert('x')</script>"), "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;",
	    "a script tag in a name is shown as text, not run");
	CHECK_STR(html(a, "\" onmouseover=\"x"), "&quot; onmouseover=&quot;x", "a double quote cannot close an attribute");
	CHECK_STR(html(a, "Tom & Jerry's"), "Tom &amp; Jerry&#39;s", "an ampersand and an apostrophe are escaped");
	CHECK_STR(html(a, "&amp;"), "&amp;amp;", "an entity already in the text is escaped again, shown as typed");
	CHECK_STR(html(a, "Zoë Łukasiewicz-Ørsted · Νίκος · Анна"), "Zoë Łukasiewicz-Ørsted · Νίκος · Анна",
	    "UTF-8 names pass through the escaper byte for byte");
	CHECK_STR(html(a, "Ζωή <Ø> & \"Анна\""), "Ζωή &lt;Ø&gt; &amp; &quot;Анна&quot;", "escaping works between multi-byte characters");
	CHECK_STR(html(a, ""), "", "an empty string escapes to nothing");
	buf_init(&b, a);
	buf_put_html_n(&b, "a<b>c", 2);
	CHECK_STR(b.data, "a&lt;", "buf_put_html_n escapes only the bytes asked for");

	buf_init(&b, a);
	for (int i = 0; i < 2000; i++)
		buf_printf(&b, "%d,", i);
	int ok = 1;
	size_t want = 0;
	for (int i = 0; i < 2000; i++)
		want += (size_t)snprintf(NULL, 0, "%d,", i);
	if (b.len != want || strlen(b.data) != want || strncmp(b.data, "0,1,2,", 6) != 0 ||
	    strcmp(b.data + want - 5, "1999,") != 0)
		ok = 0;
	CHECK(ok, "buf_printf grows the buffer over and over and keeps every byte");

	buf_init(&b, a);
	buf_puts(&b, "head:");
	char big[5000];
	memset(big, 'z', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	buf_printf(&b, "%s|%s", big, "tail");
	CHECK(b.len == 5 + 4999 + 5 && strncmp(b.data, "head:zz", 7) == 0 && strcmp(b.data + b.len - 5, "|tail") == 0,
	    "one buf_printf far larger than the buffer grows it at once");
	buf_printf(&b, "%s", "");
	CHECK(b.len == 5 + 4999 + 5 && b.data[b.len] == '\0', "an empty buf_printf changes nothing");

	buf_init_cap(&b, a, 8);
	CHECK(b.len == 0 && b.data[0] == '\0', "a buffer made with room starts empty");
	buf_puts(&b, "1234567");
	char *at = b.data;
	buf_puts(&b, "89");
	CHECK(strcmp(b.data, "123456789") == 0 && b.data != at,
	    "and grows past its room, keeping what it held");
	buf_init_cap(&b, a, 0);
	buf_puts(&b, "still");
	CHECK(strcmp(b.data, "still") == 0, "even made with no room at all");

	buf_init(&b, a);
	buf_append(&b, "ab\0cd", 5);
	CHECK(b.len == 5 && memcmp(b.data, "ab\0cd", 6) == 0, "buf_append keeps every byte, a NUL included, and terminates");
	buf_putc(&b, 'e');
	CHECK(b.len == 6 && b.data[5] == 'e' && b.data[6] == '\0', "buf_putc appends one byte and keeps the NUL after it");
	arena_free(a);
}

int main(void)
{
	arena_checks();
	buf_checks();
	CHECK_DONE();
}
