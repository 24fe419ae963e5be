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
