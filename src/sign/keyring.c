#include "sign/keyring.h"

#include <stdio.h>
#include <string.h>

#include "sign/pades.h"

static char dir[512] = "./var/keys";
static struct signing_key cached;
static char pades_cert[512], pades_key[512], pades_chain[512], pades_p12[512], pades_p12_password[256];
static struct pades_identity *pades_cached;
static char pades_cached_for[KEY_ID_HEX + 1];

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

void keyring_configure_pades(const char *cert, const char *key, const char *chain, const char *pkcs12,
    const char *pkcs12_password)
{
	snprintf(pades_cert, sizeof pades_cert, "%s", cert ? cert : "");
	snprintf(pades_key, sizeof pades_key, "%s", key ? key : "");
	snprintf(pades_chain, sizeof pades_chain, "%s", chain ? chain : "");
	snprintf(pades_p12, sizeof pades_p12, "%s", pkcs12 ? pkcs12 : "");
	snprintf(pades_p12_password, sizeof pades_p12_password, "%s", pkcs12_password ? pkcs12_password : "");
	pades_free(pades_cached);
	pades_cached = NULL;
}

const struct pades_identity *keyring_pades(const char *id, char *err, size_t errlen)
{
	int configured = pades_p12[0] != '\0' || pades_cert[0] != '\0';
	if (pades_cached != NULL && (configured || strcmp(pades_cached_for, id) == 0))
		return pades_cached;
	pades_free(pades_cached);
	pades_cached = NULL;
	if (configured) {
		pades_cached = pades_load(pades_cert, pades_key, pades_chain, pades_p12, pades_p12_password, err, errlen);
	} else {
		char cert[1024], key[1024], chain[1024];
		snprintf(cert, sizeof cert, "%s/%s.pades.crt", dir, id);
		snprintf(key, sizeof key, "%s/%s.pades.key", dir, id);
		snprintf(chain, sizeof chain, "%s/ca.crt", dir);
		pades_cached = pades_load(cert, key, chain, NULL, NULL, err, errlen);
	}
	snprintf(pades_cached_for, sizeof pades_cached_for, "%s", id);
	return pades_cached;
}
