#include "core/utf8.h"

int utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		unsigned char c = p[i];
		size_t more, k;
		/* Range of the second byte: narrowed for E0, ED, F0, F4 (Table 3-7). */
		unsigned char lo = 0x80, hi = 0xBF;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			more = 1;
		else if (c == 0xE0) {
			more = 2;
			lo = 0xA0;	/* below is an overlong 3-byte form */
		} else if (c == 0xED) {
			more = 2;
			hi = 0x9F;	/* above are the UTF-16 surrogates */
		} else if (c >= 0xE1 && c <= 0xEF)
			more = 2;
		else if (c == 0xF0) {
			more = 3;
			lo = 0x90;	/* below is an overlong 4-byte form */
		} else if (c >= 0xF1 && c <= 0xF3)
			more = 3;
		else if (c == 0xF4) {
			more = 3;
			hi = 0x8F;	/* above is beyond U+10FFFF */
		} else
			return 0;	/* continuation byte, C0, C1 or F5..FF */
		if (n - i <= more)
			return 0;
		if (p[i + 1] < lo || p[i + 1] > hi)
			return 0;
		for (k = 2; k <= more; k++)
			if ((p[i + k] & 0xC0) != 0x80)
				return 0;
		i += more + 1;
	}
	return 1;
}

size_t utf8_codepoints(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i, count = 0;

	/* Every code point has exactly one byte that is not a continuation byte. */
	for (i = 0; i < n; i++)
		if ((p[i] & 0xC0) != 0x80)
			count++;
	return count;
}

uint32_t utf8_decode(const char *s, size_t *len)
{
	const unsigned char *p = (const unsigned char *)s;
	if (p[0] < 0x80) {
		*len = 1;
		return p[0];
	}
	if (p[0] < 0xE0) {
		*len = 2;
		return (uint32_t)(p[0] & 0x1F) << 6 | (p[1] & 0x3F);
	}
	if (p[0] < 0xF0) {
		*len = 3;
		return (uint32_t)(p[0] & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
	}
	*len = 4;
	return (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3F) << 12 |
	    (uint32_t)(p[2] & 0x3F) << 6 | (p[3] & 0x3F);
}

const char *utf8_invisible(uint32_t cp)
{
	static const struct {
		uint32_t from, to;
		const char *name;
	} ranges[] = {
		{ 0x00AD, 0x00AD, "SOFT HYPHEN" },
		{ 0x034F, 0x034F, "COMBINING GRAPHEME JOINER" },
		{ 0x061C, 0x061C, "ARABIC LETTER MARK" },
		{ 0x115F, 0x1160, "HANGUL FILLER" },
		{ 0x17B4, 0x17B5, "KHMER INHERENT VOWEL" },
		{ 0x180B, 0x180F, "MONGOLIAN VARIATION SELECTOR OR VOWEL SEPARATOR" },
		{ 0x200B, 0x200B, "ZERO WIDTH SPACE" },
		{ 0x200C, 0x200C, "ZERO WIDTH NON-JOINER" },
		{ 0x200D, 0x200D, "ZERO WIDTH JOINER" },
		{ 0x200E, 0x200E, "LEFT-TO-RIGHT MARK" },
		{ 0x200F, 0x200F, "RIGHT-TO-LEFT MARK" },
		{ 0x2028, 0x2028, "LINE SEPARATOR" },
		{ 0x2029, 0x2029, "PARAGRAPH SEPARATOR" },
		{ 0x202A, 0x202A, "LEFT-TO-RIGHT EMBEDDING" },
		{ 0x202B, 0x202B, "RIGHT-TO-LEFT EMBEDDING" },
		{ 0x202C, 0x202C, "POP DIRECTIONAL FORMATTING" },
		{ 0x202D, 0x202D, "LEFT-TO-RIGHT OVERRIDE" },
		{ 0x202E, 0x202E, "RIGHT-TO-LEFT OVERRIDE" },
		{ 0x2060, 0x2060, "WORD JOINER" },
		{ 0x2061, 0x2064, "INVISIBLE OPERATOR" },
		{ 0x2066, 0x2066, "LEFT-TO-RIGHT ISOLATE" },
		{ 0x2067, 0x2067, "RIGHT-TO-LEFT ISOLATE" },
		{ 0x2068, 0x2068, "FIRST STRONG ISOLATE" },
		{ 0x2069, 0x2069, "POP DIRECTIONAL ISOLATE" },
		{ 0x206A, 0x206F, "DEPRECATED FORMAT CHARACTER" },
		{ 0x3164, 0x3164, "HANGUL FILLER" },
		{ 0xFE00, 0xFE0F, "VARIATION SELECTOR" },
		{ 0xFEFF, 0xFEFF, "ZERO WIDTH NO-BREAK SPACE (BYTE ORDER MARK)" },
		{ 0xFFA0, 0xFFA0, "HALFWIDTH HANGUL FILLER" },
		{ 0xFFF9, 0xFFFB, "INTERLINEAR ANNOTATION CHARACTER" },
		{ 0x1D173, 0x1D17A, "MUSICAL SYMBOL FORMAT CHARACTER" },
		{ 0xE0000, 0xE007F, "TAG CHARACTER" },
		{ 0xE0100, 0xE01EF, "VARIATION SELECTOR SUPPLEMENT" },
	};
	for (size_t i = 0; i < sizeof ranges / sizeof *ranges; i++)
		if (cp >= ranges[i].from && cp <= ranges[i].to)
			return ranges[i].name;
	return NULL;
}
