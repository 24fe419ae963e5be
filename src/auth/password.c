#include "auth/password.h"

#include <string.h>

#include "core/utf8.h"

static char dummy_hash[crypto_pwhash_STRBYTES];

int password_init(void)
{
	if (sodium_init() < 0)
		return -1;
	return password_hash(dummy_hash, "not a real password, only a timing equaliser");
}

int password_hash(char out[crypto_pwhash_STRBYTES], const char *password)
{
	return crypto_pwhash_str(out, password, strlen(password), PASSWORD_OPSLIMIT,
	    (size_t)PASSWORD_MEMLIMIT);
}

int password_verify(const char *hash, const char *password)
{
	if (hash == NULL) {
		/* The result is meaningless; only the time it takes matters. */
		if (dummy_hash[0] != '\0' &&
		    crypto_pwhash_str_verify(dummy_hash, password, strlen(password)) == 0)
			return 0;
		return 0;
	}
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

int password_needs_rehash(const char *hash)
{
	return crypto_pwhash_str_needs_rehash(hash, PASSWORD_OPSLIMIT,
	    (size_t)PASSWORD_MEMLIMIT) != 0;
}

const char *password_problem(const char *password)
{
	size_t n = strlen(password);
	/* Characters, not bytes, for the minimum: the message says characters. */
	if (utf8_codepoints(password, n) < PASSWORD_MIN)
		return "Choose a password of at least 8 characters.";
	if (n > PASSWORD_MAX)
		return "A password may have at most 1024 characters.";
	return NULL;
}
