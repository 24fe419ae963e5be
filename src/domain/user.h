/* Who is acting: an account and its role. Shared by the web layer, auth and esonrctl. */
#ifndef ESONR_USER_H
#define ESONR_USER_H

/* Bit flags, so that a route can allow several roles at once. */
enum role {
	ROLE_CANDIDATE = 1 << 0,
	ROLE_EXAMINER = 1 << 1,
	ROLE_ADMIN = 1 << 2,
};

struct user {
	long long id;
	char id_text[24];
	const char *email;
	const char *full_name;
	enum role role;
	int email_confirmed; /* the link sent at registration has been used */
	long long records_version; /* moves with every change to the account's records (sql/063) */
};

/* The role's name as stored in users.role and typed to esonrctl. */
const char *role_name(enum role r);
/* 0 and *r set when s names a role, else -1. */
int role_parse(const char *s, enum role *r);

#endif
