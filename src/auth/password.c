#include "auth/password.h"

#include <stdio.h>
#include <string.h>

#include "domain/valid.h"

static char dummy_hash[crypto_pwhash_STRBYTES];
static unsigned long long opslimit = PASSWORD_OPSLIMIT;
static size_t memlimit = (size_t)PASSWORD_MEMLIMIT;
static int test_cost;

void password_configure(int test)
{
	test_cost = test;
	if (test)
		fprintf(stderr, "password: TEST COST: Argon2id at libsodium's minimum; never use this "
				"setting with real accounts\n");
	opslimit = test ? crypto_pwhash_OPSLIMIT_MIN : PASSWORD_OPSLIMIT;
	memlimit = test ? crypto_pwhash_MEMLIMIT_MIN : (size_t)PASSWORD_MEMLIMIT;
}

int password_init(void)
{
	if (sodium_init() < 0)
		return -1;
	return password_hash(dummy_hash, "not a real password, only a timing equaliser");
}

int password_hash(char out[crypto_pwhash_STRBYTES], const char *password)
{
	return crypto_pwhash_str(out, password, strlen(password), opslimit, memlimit);
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
	/* Never downwards: a test stack pointed at real accounts must not weaken their hashes. */
	if (test_cost)
		return 0;
	return crypto_pwhash_str_needs_rehash(hash, opslimit, memlimit) != 0;
}

const char *password_problem(const char *password)
{
	static const struct valid_rule rule = { VALID_PASSWORD, 0, 0, NULL };
	const char *why;
	/* VALID_PASSWORD never allocates: it returns its input or NULL. */
	return valid_check(NULL, &rule, password, &why) == NULL ? why : NULL;
}
