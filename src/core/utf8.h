/* Strict UTF-8 checks for everything a request carries in. */
#ifndef ESONR_UTF8_H
#define ESONR_UTF8_H
#include <stddef.h>

/* 1 if s[0..n) is well-formed UTF-8 (Unicode Table 3-7): no overlongs, surrogates,
 * code points above U+10FFFF or truncated sequences; 0 otherwise. NUL bytes are valid. */
int utf8_valid(const char *s, size_t n);
/* Number of code points in s[0..n), for length limits; meaningful on valid input only. */
size_t utf8_codepoints(const char *s, size_t n);

#endif
