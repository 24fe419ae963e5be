/* The certificate PDF (DESIGN §4): A4 landscape, drawn with libharu and an embedded subset
 * of a TrueType font, so that a holder's name in any European script prints as registered
 * and extracts as text. Signing the bytes is src/sign's business, not this file's. */
#ifndef ESONR_CERTIFICATE_H
#define ESONR_CERTIFICATE_H
#include <stddef.h>
#include "core/arena.h"

struct cert_doc {
	const char *number;         /* ESNR-L1-2027-0001 */
	const char *holder_name;    /* exactly as registered, any European script (UTF-8) */
	const char *qualification;  /* e.g. "Level 1 certificate in neuroradiology" */
	const char *level;          /* e.g. "Level 1", "Level 3 — Interventional Endovascular" */
	const char *session_date;   /* "3 May 2027" */
	const char *session_place;  /* "Vienna, ESNR office" */
	const char *issue_date;     /* "26 November 2026" */
	const char *key_id;         /* signing key id, printed small */
	const char *signed_by;      /* who signs the PDF (the signing certificate's name), printed small */
	const char *qr_text;        /* what the QR code holds (the verification URL) */
	const char *creation_date;  /* "2026-11-26T08:00:00Z": the info dictionary's date, so output is deterministic */
	const char *signatory_1, *signatory_1_role, *signatory_2, *signatory_2_role;
};

/* Loads/validates the fonts once per process (paths of regular and bold TTF). 0 ok.
 * Safe to call before fork(): a child that renders reopens the files for itself, since
 * libharu reads glyphs through a FILE whose offset a parent and child would share.
 * One libharu document is reused per process, so none of this is for threads. */
int cert_fonts_init(const char *regular_ttf, const char *bold_ttf, char *err, size_t errlen);
/* NULL when every character of s can be drawn with the certificate fonts; else a message
 * naming the first character that cannot (e.g. "the font cannot draw U+4E2D '中'"). */
const char *cert_text_problem(struct arena *a, const char *utf8);
/* Renders the PDF into arena memory. 0 ok; -1 with err. Same input → byte-identical output.
 * Every text field must pass cert_text_problem; only level may be NULL or empty. */
int cert_render(struct arena *a, const struct cert_doc *d, unsigned char **pdf, size_t *len,
    char *err, size_t errlen);

#endif
