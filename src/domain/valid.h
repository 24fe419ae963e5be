/*
 * One validator per kind of value that arrives from outside: form fields, esonrctl's
 * arguments, CSV cells. Pure functions, no I/O; the web layer applies them through the
 * declared field tables of web/form_spec.h, esonrctl and the importers call them directly.
 *
 *	static const struct valid_rule capacity = { VALID_INT, 1, 10000, NULL };
 *	const char *why, *v = valid_check(a, &capacity, given, &why);
 *	if (v == NULL) ... why is the reason, one sentence for the user
 *
 * A value given as "" (or absent, NULL) is refused by every kind with a reason that asks
 * for it; whether a field may stay empty is the caller's decision (FIELD_REQUIRED on the web).
 * Every kind except VALID_PASSWORD trims outer white space first.
 *
 * Certificate numbers: VALID_CERT_NUMBER (forms, the verification form's GET ?number= of
 * web/h_certificates.c included: upper-cases, then checks) and valid_cert_number()
 * (esonrctl's words and the signer's requests, taken as typed) are the one definition of
 * what a number looks like.
 */
#ifndef ESONR_VALID_H
#define ESONR_VALID_H
#include "core/arena.h"

#define REASON_MAX_CHARS 1000 /* every reason the office or an examiner types: one limit */
#define CERT_NUMBER_MAX 59    /* ESNR-{exam}-{year}-{serial}, with room for longer exam codes */
#define CODE_MAX 32           /* course, exam and attestation codes */
#define PASSWORD_MIN 8        /* characters */
#define PASSWORD_MAX 1024     /* bytes */

enum valid_kind {
	VALID_ID,          /* a database id: 1 to 18 digits */
	VALID_CHECKBOX,    /* ticked or not: never fails; "1" when ticked (any value except "",
	                    * "0", "off", "false", "no", which unticking scripts send), else "" */
	VALID_TEXT,        /* one line, min..max code points, no control characters */
	VALID_REASON,      /* why a change is made: 1..REASON_MAX_CHARS code points, lines allowed */
	VALID_INT,         /* a whole number (digits only) from min to max */
	VALID_SCORE,       /* an exam part's score or a pass mark: a whole number from 0 to 100 */
	VALID_DATE,        /* YYYY-MM-DD, a real date between 1900 and 2199 */
	VALID_TIMESTAMP,   /* ISO 8601 with an offset: 2027-05-03T09:00+02:00 */
	VALID_LOCAL_TIME,  /* a timestamp with an offset, or a wall-clock YYYY-MM-DDTHH:MM[:SS]
	                    * (an HTML datetime-local) that the caller reads in some time zone */
	VALID_EMAIL,       /* an e-mail address, lower-cased (domain/account.h) */
	VALID_NAME,        /* a person's name as registered (domain/account.h) */
	VALID_PASSWORD,    /* 8..1024 characters, kept exactly as typed (never trimmed) */
	VALID_CERT_NUMBER, /* ESNR-L1-2027-0001: upper-cased; "ESNR-", then A-Z 0-9 and "-" */
	VALID_CODE,        /* a course, exam or attestation code: A-Z 0-9 and "-", 1..CODE_MAX */
	VALID_CHOICE,      /* one of rule->choices, exactly */
	VALID_ANY,         /* any text, kept exactly as given: a password typed at login, which
	                    * only the login may judge */
	VALID__MAX
};

struct valid_rule {
	enum valid_kind kind;
	long min, max;              /* VALID_TEXT: code points; VALID_INT: the range; else unused */
	const char *const *choices; /* VALID_CHOICE: NULL-terminated */
};

/* The value to use (normalised: trimmed, lower- or upper-cased as the kind says; in a),
 * or NULL with *why set to the reason. in may be NULL (absent). */
const char *valid_check(struct arena *a, const struct valid_rule *rule, const char *in,
    const char **why);
/* Whether a value counts as given: not NULL and not only white space. */
int valid_given(const char *in);
/* 1 when the checkbox value counts as ticked (the one checkbox rule). */
int valid_ticked(const char *in);
/* Shorthands for esonrctl and the importers; 1 when valid (s taken as it is, not trimmed). */
int valid_cert_number(const char *s);
int valid_code(const char *s);
/* An id as a person writes it in a file: 1 to 18 digits, no leading zero. */
int valid_written_id(const char *s);

#endif
