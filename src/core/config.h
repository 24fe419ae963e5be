/* Run-time configuration: $VAR/esonr.conf, then ESONR_* environment overrides. */
#ifndef ESONR_CONFIG_H
#define ESONR_CONFIG_H

struct config {
	char var[512];       /* state directory */
	char root[512];      /* the installation: where sql/, templates/, static/ live */
	char db[512];        /* libpq conninfo of the application role */
	char db_admin[512];  /* libpq conninfo of the owner, for migrations only */
	char base_url[256];
	char socket[512];
	char auth_socket[512]; /* the password-hashing pool's: /login, /register, /password/ */
	char templates[512];
	char static_dir[512];
	char sql_dir[512];
	char keys[512];
	char db_signer[512];     /* libpq conninfo of the signer's role (esonr-signer only) */
	char signer_socket[512]; /* where the signer listens; workers and esonrctl ask it */
	/* The PDF signature's certificate in production: PEM files, or one PKCS#12 file. Empty:
	 * the development certificate esonrctl keygen made in keys/ (README, "PDF signature"). */
	char pades_cert[512], pades_key[512], pades_chain[512];
	char pades_pkcs12[512], pades_pkcs12_password[256];
	/* e-mail (src/mail/): the relay, the sender, credentials for the relay (never on a
	 * command line), and the Maildir of the local sink that stack.sh starts ("" = none) */
	char smtp_url[512];
	char mail_from[512];
	char smtp_user[256];
	char smtp_password[256];
	char mail_sink[512];
	int workers;
	int auth_workers;      /* the pool's workers: Argon2id never occupies the others */
	/* Attempts per client address (an IPv6 /64) per hour before 429: sign-ups, password
	 * resets, certificate uploads to POST /verify (auth/rate.h). */
	int limit_register, limit_password, limit_verify;
	/* password_cost = test (ESONR_PASSWORD_COST): Argon2id at libsodium's minimum, for test
	 * stacks under valgrind only, where a standard hash takes a second (auth/password.h). */
	int password_test_cost;
};

/* var may be NULL: then $ESONR_VAR, else ./var. Returns 0, or -1 with err set. */
int config_load(struct config *c, const char *var, char *err, int errlen);

#endif
