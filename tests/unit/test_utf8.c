/* Strict UTF-8: what a browser sends is accepted, every ill-formed sequence is refused. */
#include <string.h>

#include "check.h"
#include "core/utf8.h"

#define VALID(lit) utf8_valid(lit, sizeof lit - 1)

int main(void)
{
	CHECK(VALID(""), "the empty string is valid");
	CHECK(VALID("plain ASCII, tabs\tand\r\nnewlines"), "ASCII is valid");
	CHECK(VALID("a\0b"), "a NUL byte is valid UTF-8 (the form parser rejects it separately)");
	CHECK(utf8_valid(NULL, 0), "no bytes at all are valid");
	CHECK(VALID("Müller-Lüdenscheidt"), "Latin with diacritics is valid");
	CHECK(VALID("Иван Петров"), "a name in Cyrillic is valid");
	CHECK(VALID("Παπαδόπουλος"), "a name in Greek is valid");
	CHECK(VALID("\xE2\x82\xAC"), "the euro sign (3 bytes) is valid");
	CHECK(VALID("\xF0\x9F\x98\x80"), "an emoji (4 bytes) is valid");
	CHECK(VALID("\xF4\x8F\xBF\xBF"), "U+10FFFF, the last code point, is valid");
	CHECK(VALID("\xED\x9F\xBF"), "U+D7FF, just below the surrogates, is valid");
	CHECK(VALID("\xEE\x80\x80"), "U+E000, just above the surrogates, is valid");
	CHECK(VALID("\xC2\x80"), "U+0080, the smallest 2-byte form, is valid");
	CHECK(VALID("\xE0\xA0\x80"), "U+0800, the smallest 3-byte form, is valid");
	CHECK(VALID("\xF0\x90\x80\x80"), "U+10000, the smallest 4-byte form, is valid");

	CHECK(!VALID("\xC0\xAF"), "overlong 2-byte '/' (C0 AF) is rejected");
	CHECK(!VALID("\xC1\xBF"), "overlong 2-byte with C1 is rejected");
	CHECK(!VALID("\xE0\x80\xAF"), "overlong 3-byte '/' is rejected");
	CHECK(!VALID("\xE0\x9F\xBF"), "overlong 3-byte U+07FF is rejected");
	CHECK(!VALID("\xF0\x80\x80\xAF"), "overlong 4-byte '/' is rejected");
	CHECK(!VALID("\xF0\x8F\xBF\xBF"), "overlong 4-byte U+FFFF is rejected");
	CHECK(!VALID("\xED\xA0\x80"), "the high surrogate U+D800 is rejected");
	CHECK(!VALID("\xED\xBF\xBF"), "the low surrogate U+DFFF is rejected");
	CHECK(!VALID("\xED\xA0\xBD\xED\xB8\x80"), "a CESU-8 surrogate pair is rejected");
	CHECK(!VALID("\xF4\x90\x80\x80"), "U+110000, beyond Unicode, is rejected");
	CHECK(!VALID("\xF5\x80\x80\x80"), "lead byte F5 is rejected");
	CHECK(!VALID("\xFF"), "byte FF is rejected");
	CHECK(!VALID("\xFE\xFE\xFF\xFF"), "a UTF-16 byte order mark is rejected");
	CHECK(!VALID("\x80"), "a lone continuation byte is rejected");
	CHECK(!VALID("a\xBF" "b"), "a continuation byte between ASCII is rejected");
	CHECK(!VALID("\xC3\x28"), "C3 28 (lead byte then ASCII) is rejected");
	CHECK(!VALID("\xE2\x28\xA1"), "a 3-byte sequence broken in the middle is rejected");
	CHECK(!VALID("\xF0\x9F\x98\x28"), "a 4-byte sequence broken at the end is rejected");
	CHECK(!VALID("\xC3"), "a 2-byte sequence truncated by the end is rejected");
	CHECK(!VALID("\xE2\x82"), "a 3-byte sequence truncated by the end is rejected");
	CHECK(!VALID("\xF0\x9F\x98"), "a 4-byte sequence truncated by the end is rejected");
	CHECK(!utf8_valid("\xC3\xA9", 1), "the length given is honoured: half of é is rejected");
	CHECK(utf8_valid("ab\xC3", 2), "bytes past the length given are never looked at");
	CHECK(!VALID("\xEF\xBF\xBF\xC0"), "an invalid byte after valid text is rejected");

	CHECK(utf8_codepoints("", 0) == 0, "the empty string has no code points");
	CHECK(utf8_codepoints("Иван", sizeof "Иван" - 1) == 4,
	    "Иван counts as 4 code points, not 8 bytes");
	CHECK(utf8_codepoints("a€😀", sizeof "a€😀" - 1) == 3,
	    "1-, 3- and 4-byte code points count one each");

	size_t len;
	CHECK(utf8_decode("\xE2\x80\xAE", &len) == 0x202E && len == 3, "a 3-byte code point decodes");
	CHECK(utf8_decode("\xF0\x9F\x98\x80", &len) == 0x1F600 && len == 4, "a 4-byte code point decodes");
	CHECK(utf8_invisible(0x202E) != NULL && strcmp(utf8_invisible(0x202E), "RIGHT-TO-LEFT OVERRIDE") == 0,
	    "U+202E is named as an invisible direction override");
	static const uint32_t invisible[] = { 0x202A, 0x202B, 0x202C, 0x202D, 0x2066, 0x2067, 0x2068, 0x2069,
		0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0xFEFF, 0x00AD, 0x2060, 0xE0041 };
	int all = 1;
	for (size_t i = 0; i < sizeof invisible / sizeof *invisible; i++)
		all &= utf8_invisible(invisible[i]) != NULL;
	CHECK(all, "every bidi control, zero-width character and the BOM is invisible");
	static const uint32_t visible[] = { 'A', 0xEB, 0x141, 0x3A9, 0x416, 0x10D0, 0x561, 0x2010, 0x2019, 0x00A0 };
	int none = 1;
	for (size_t i = 0; i < sizeof visible / sizeof *visible; i++)
		none &= utf8_invisible(visible[i]) == NULL;
	CHECK(none, "letters of European scripts, hyphens, apostrophes and the no-break space are not");
	CHECK_DONE();
}
