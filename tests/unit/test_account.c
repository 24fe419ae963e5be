/* What an account may hold: e-mail addresses people actually type, and names in any
 * European script kept exactly as registered (they go on the certificates). */
#include "check.h"
#include "domain/account.h"

static struct arena *A;
static const char *why;

static const char *email(const char *in)
{
	why = NULL;
	return email_normalise(A, in, &why);
}

static const char *name(const char *in)
{
	why = NULL;
	return name_normalise(A, in, &why);
}

static const char *repeat(const char *unit, int times)
{
	size_t n = strlen(unit);
	char *s = arena_alloc(A, n * (size_t)times + 1);
	for (int i = 0; i < times; i++)
		memcpy(s + n * (size_t)i, unit, n);
	s[n * (size_t)times] = '\0';
	return s;
}

static void emails(void)
{
	CHECK_STR(email("zoe@hospital.eu"), "zoe@hospital.eu", "a plain address is kept as typed");
	CHECK_STR(email("  Zoe.Orsted@Uniklinik-Wien.AT \n"), "zoe.orsted@uniklinik-wien.at",
	    "an address is trimmed and lower-cased");
	CHECK_STR(email("a.b+exams@x.example"), "a.b+exams@x.example", "single dots and a plus tag are kept");

	CHECK(email("") == NULL && why != NULL, "an empty address is refused with a reason");
	CHECK(email("   \t ") == NULL && why != NULL, "an address of only spaces is refused with a reason");
	CHECK(email("zoe.hospital.eu") == NULL && why != NULL, "an address without @ is refused");
	CHECK(email("zoe@@hospital.eu") == NULL, "an address with two @ in a row is refused");
	CHECK(email("zoe@ward@hospital.eu") == NULL, "an address with two @ is refused");
	CHECK(email("@hospital.eu") == NULL, "an address without a local part is refused");
	CHECK(email("zoe@") == NULL, "an address without a domain is refused");
	CHECK(email("zoe @hospital.eu") == NULL && why != NULL, "an address with a space inside is refused");
	CHECK(email("zoe@hospital .eu") == NULL, "an address with a space in the domain is refused");
	CHECK(email("zoe@hospital.eu\r\nBcc: x@y.eu") == NULL, "an address with a line break inside is refused");
	CHECK_STR(email("zoë@hospital.eu"), "zoë@hospital.eu", "an internationalised local part (UTF-8) is accepted");
	CHECK_STR(email("Jürgen@Klinikum-München.DE"), "jürgen@klinikum-münchen.de",
	    "an internationalised domain is accepted; ASCII letters are lower-cased");
	CHECK_STR(email("o'neil.x!#$%&*+/=?^_`{|}~-@h.eu"), "o'neil.x!#$%&*+/=?^_`{|}~-@h.eu",
	    "every atext character of RFC 5321 is accepted in the local part");
	CHECK(email("sqe@x.example'/**/and/**/1008=3300--/**/ribz") == NULL && why != NULL &&
	    strstr(why, "domain") != NULL, "a domain that is not a domain (an injection probe) is refused, saying why");
	CHECK(email("zoe@localhost") == NULL, "a domain of one label is refused");
	CHECK(email("zoe@[192.0.2.1]") == NULL, "an address literal is refused");
	CHECK(email("zoe@-hospital.eu") == NULL, "a label starting with a hyphen is refused");
	CHECK(email("zoe@hospital-.eu") == NULL, "a label ending with a hyphen is refused");
	CHECK(email("zoe@hos_pital.eu") == NULL, "an underscore in the domain is refused");
	CHECK(email("zoe@hospital.eu\xc3") == NULL, "invalid UTF-8 is refused");
	CHECK(email(arena_printf(A, "zoe@%s.eu", repeat("b", 64))) == NULL, "a label of 64 octets is refused");
	CHECK(email(arena_printf(A, "zoe@%s.eu", repeat("b", 63))) != NULL, "a label of 63 octets is accepted");
	CHECK(email(arena_printf(A, "%s@h.eu", repeat("a", 65))) == NULL && why != NULL && strstr(why, "64") != NULL,
	    "a local part of 65 octets is refused, and the reason says 64");
	CHECK(email("zoe@.hospital.eu") == NULL && why != NULL, "a domain starting with a dot is refused");
	CHECK(email("zoe@hospital.eu.") == NULL, "a domain ending with a dot is refused");
	CHECK(email("zoe@hospital..eu") == NULL, "a domain with two dots in a row is refused");
	CHECK(email("zoe\"x\"@hospital.eu") == NULL, "a quoted local part is refused");
	CHECK(email("<zoe@hospital.eu>") == NULL, "an address in angle brackets is refused");

	/* Bugs in src/domain/account.c: the dot checks only look at the domain part. */
	CHECK(email("a..b@hospital.eu") == NULL,
	    "a local part with two dots in a row (a..b@hospital.eu) is refused");
	CHECK(email(".zoe@hospital.eu") == NULL,
	    "a local part starting with a dot (.zoe@hospital.eu) is refused");
	CHECK(email("zoe.@hospital.eu") == NULL,
	    "a local part ending with a dot (zoe.@hospital.eu) is refused");

	/* 64 + "@" + 189 = 254 octets, the longest address there is. */
	const char *longest = arena_printf(A, "%s@%s.%s.%s.eu", repeat("a", 64), repeat("b", 63), repeat("b", 63),
	    repeat("b", 58));
	CHECK(strlen(longest) == 254 && email(longest) != NULL, "an address of exactly 254 characters is accepted");
	const char *too_long = arena_printf(A, "%s@%s.%s.%s.eu", repeat("a", 64), repeat("b", 63), repeat("b", 63),
	    repeat("b", 59));
	CHECK(email(too_long) == NULL && why != NULL && strstr(why, "254") != NULL,
	    "an address of 255 characters is refused, and the reason says 254");
	const char *padded = arena_printf(A, "   %s   ", longest);
	CHECK(email(padded) != NULL, "the length limit counts the address without the spaces around it");
}

static void names(void)
{
	CHECK_STR(name("Zoë Łukasiewicz-Ørsted"), "Zoë Łukasiewicz-Ørsted",
	    "a Latin name with diacritics is kept byte for byte");
	CHECK_STR(name("Νίκος Παπαδόπουλος"), "Νίκος Παπαδόπουλος", "a Greek name is kept byte for byte");
	CHECK_STR(name("Анна Каренина"), "Анна Каренина", "a Cyrillic name is kept byte for byte");
	CHECK_STR(name("Seán Ó Briain"), "Seán Ó Briain", "an Irish name with fadas is kept byte for byte");
	CHECK(name("Eve\xE2\x80\xAE Mallory") == NULL && strstr(why, "U+202E RIGHT-TO-LEFT OVERRIDE") != NULL,
	    "a name with a direction override is refused, naming it");
	CHECK(name("Zed\xE2\x80\x8B") == NULL && strstr(why, "U+200B") != NULL, "a zero-width space is refused");
	CHECK(name("\xEF\xBB\xBF" "Anna") == NULL && strstr(why, "U+FEFF") != NULL, "a byte-order mark is refused");
	CHECK_STR(name("Ђорђе Јовановић"), "Ђорђе Јовановић", "a Serbian Cyrillic name is kept");
	CHECK_STR(name("  Анна Каренина \t"), "Анна Каренина", "spaces around a name are trimmed");
	CHECK_STR(name("Anna  Maria"), "Anna  Maria", "spaces inside a name are kept as typed");
	CHECK_STR(name("Jean-Luc D'Aubigné"), "Jean-Luc D'Aubigné", "hyphens and apostrophes are kept");

	CHECK(name("") == NULL && why != NULL, "an empty name is refused with a reason");
	CHECK(name("   ") == NULL && why != NULL, "a name of only spaces is refused with a reason");
	CHECK(name("Anna\nKarenina") == NULL && why != NULL, "a name with a line break inside is refused");
	CHECK(name("Anna\tKarenina") == NULL, "a name with a tab inside is refused");
	CHECK(name("Anna\x1b[31mKarenina") == NULL, "a name with an escape character is refused");
	CHECK(name("Anna\x7fKarenina") == NULL, "a name with DEL is refused");
	CHECK(name("Zo\xEB Orsted") == NULL && why != NULL, "a name in Latin-1 rather than UTF-8 is refused");
	CHECK(name("Zo\xC3") == NULL, "a name ending in a truncated UTF-8 sequence is refused");
	CHECK(name("\xC0\xAFroot") == NULL, "a name with an overlong UTF-8 sequence is refused");

	/* Bug in src/domain/account.c: only C0 controls and DEL are refused. */
	CHECK(name("Anna\xC2\x85Karenina") == NULL,
	    "a name with the C1 control NEL (U+0085, a line break) is refused");

	const char *greek200 = repeat("α", 200);
	CHECK_STR(name(greek200), greek200, "a name of exactly 200 two-byte characters (400 bytes) is accepted");
	CHECK(name(repeat("α", 201)) == NULL && why != NULL && strstr(why, "200") != NULL,
	    "a name of 201 characters is refused, and the reason says 200");
	CHECK(name(repeat("a", 200)) != NULL, "a name of exactly 200 ASCII letters is accepted");
	CHECK(name(repeat("a", 201)) == NULL, "a name of 201 ASCII letters is refused");
	CHECK(name(arena_printf(A, "  %s  ", greek200)) != NULL, "the 200-character limit counts the name without the spaces around it");
}

int main(void)
{
	A = arena_new();
	emails();
	names();
	arena_free(A);
	CHECK_DONE();
}
