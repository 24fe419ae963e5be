/* Strict UTF-8 checks for everything a request carries in. */
#ifndef ESONR_UTF8_H
#define ESONR_UTF8_H
#include <stddef.h>
#include <stdint.h>

/* 1 if s[0..n) is well-formed UTF-8 (Unicode Table 3-7): no overlongs, surrogates,
 * code points above U+10FFFF or truncated sequences; 0 otherwise. NUL bytes are valid. */
int utf8_valid(const char *s, size_t n);
/* Number of code points in s[0..n), for length limits; meaningful on valid input only. */
size_t utf8_codepoints(const char *s, size_t n);
/* The code point at s (valid UTF-8) and its length in bytes. */
uint32_t utf8_decode(const char *s, size_t *len);
/* The Unicode name of cp when it is an invisible formatting character that would make a
 * text look different from what it says (direction overrides and isolates, zero-width
 * characters, the byte-order mark, soft hyphen, invisible operators, variation selectors,
 * fillers, line and paragraph separators); NULL for any other code point. */
const char *utf8_invisible(uint32_t cp);

#endif
