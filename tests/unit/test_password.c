/* Passwords: Argon2id with the configured cost, old hashes upgraded on sign-in, and an
 * unknown e-mail address that cannot be told from a wrong password. */
#include <time.h>

#include "check.h"
#include "auth/password.h"

static double seconds_of_verify(const char *hash, const char *password)
{
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	(void)password_verify(hash, password);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
}

int main(void)
{
	CHECK(password_verify(NULL, "correct horse") == 0, "an unknown user's password is refused even before start-up");
	CHECK(password_init() == 0, "password_init succeeds");

	char hash[crypto_pwhash_STRBYTES];
	CHECK(password_hash(hash, "Zoë's exam password") == 0, "a password can be hashed");
	char want[64];
	snprintf(want, sizeof want, "$argon2id$v=19$m=%llu,t=%llu,p=1$", PASSWORD_MEMLIMIT / 1024, PASSWORD_OPSLIMIT);
	CHECK(strncmp(hash, want, strlen(want)) == 0, "the hash is Argon2id with the configured memory and time cost");
	CHECK(strstr(hash, "Zoë") == NULL, "the hash does not contain the password");

	char again[crypto_pwhash_STRBYTES];
	CHECK(password_hash(again, "Zoë's exam password") == 0 && strcmp(hash, again) != 0, "the same password hashed twice gives two different hashes (random salt)");

	CHECK(password_verify(hash, "Zoë's exam password") == 1, "the right password is accepted");
	CHECK(password_verify(hash, "Zoe's exam password") == 0, "a password differing in one letter is refused");
	CHECK(password_verify(hash, "") == 0, "an empty password is refused");
	CHECK(password_verify("$argon2id$garbage", "Zoë's exam password") == 0, "a damaged hash refuses every password");
	CHECK(password_verify(NULL, "not a real password, only a timing equaliser") == 0,
	    "an unknown user is refused, even with the timing equaliser's own password");

	double real = seconds_of_verify(hash, "wrong guess");
	double unknown = seconds_of_verify(NULL, "wrong guess");
	CHECK(unknown > real / 4, "checking an unknown user takes about as long as checking a wrong password");

	CHECK(password_needs_rehash(hash) == 0, "a fresh hash does not need a rehash");
	char cheap[crypto_pwhash_STRBYTES];
	CHECK(crypto_pwhash_str(cheap, "old password", strlen("old password"), crypto_pwhash_OPSLIMIT_MIN,
	    crypto_pwhash_MEMLIMIT_MIN) == 0, "a hash can be made with the cheapest parameters libsodium allows");
	CHECK(password_verify(cheap, "old password") == 1, "a hash made with older, cheaper parameters still verifies");
	CHECK(password_needs_rehash(cheap) == 1, "a hash made with different parameters needs a rehash");
	char argon2i[crypto_pwhash_STRBYTES];
	CHECK(crypto_pwhash_argon2i_str(argon2i, "old password", strlen("old password"), 3,
	    (size_t)PASSWORD_MEMLIMIT) == 0, "an Argon2i hash can be made for comparison");
	CHECK(password_needs_rehash(argon2i) == 1, "an Argon2i (not Argon2id) hash needs a rehash");

	/* A test stack (password_cost = test) pointed at real accounts must not weaken them. */
	password_configure(1);
	CHECK(password_needs_rehash(hash) == 0,
	    "at the test cost, a standard-cost hash is not rehashed (never downwards)");
	char weak[crypto_pwhash_STRBYTES];
	CHECK(password_hash(weak, "test stack password") == 0 && password_verify(weak, "test stack password") == 1,
	    "at the test cost, hashing and verifying still work");
	password_configure(0);
	CHECK(password_needs_rehash(weak) == 1, "back at the standard cost, a test-cost hash needs a rehash");

	CHECK(password_problem("") != NULL, "an empty password is refused with a reason");
	CHECK(password_problem("1234567") != NULL && strstr(password_problem("1234567"), "8") != NULL,
	    "a password of 7 characters is refused, and the reason says 8");
	CHECK(password_problem("12345678") == NULL, "a password of 8 characters is accepted");
	char longpw[1026];
	memset(longpw, 'p', 1024);
	longpw[1024] = '\0';
	CHECK(password_problem(longpw) == NULL, "a password of 1024 characters is accepted");
	longpw[1024] = 'p';
	longpw[1025] = '\0';
	CHECK(password_problem(longpw) != NULL && strstr(password_problem(longpw), "1024") != NULL,
	    "a password of 1025 characters is refused, and the reason says 1024");
	CHECK(password_problem("пароль пароль") == NULL, "a Cyrillic passphrase is accepted");

	CHECK_DONE();
}
