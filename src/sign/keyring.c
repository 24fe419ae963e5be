#include "sign/keyring.h"

#include <stdio.h>
#include <string.h>

static char dir[512] = "./var/keys";
static struct signing_key cached;

void keyring_configure(const char *keys_dir)
{
	snprintf(dir, sizeof dir, "%s", keys_dir);
}

const char *keyring_dir(void)
{
	return dir;
}

int keyring_get(const char *id, const struct signing_key **k, char *err, size_t errlen)
{
	if (!cached.has_secret || strcmp(cached.id, id) != 0) {
		struct signing_key fresh;
		keyring_forget();
		if (key_load_secret(dir, id, &fresh, err, errlen) != 0) {
			sodium_memzero(&fresh, sizeof fresh);
			return -1;
		}
		cached = fresh;
		sodium_memzero(&fresh, sizeof fresh);
	}
	*k = &cached;
	return 0;
}

void keyring_forget(void)
{
	sodium_memzero(&cached, sizeof cached);
}
