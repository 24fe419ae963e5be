/* How the web workers and esonrctl get a certificate signed: they ask the signer process
 * (bin/esonr-signer), the only process that can read the secret key, over a local socket.
 * One request per line, one answer per line:
 *   ISSUE NUMBER   →  OK (signed now) | DONE (already signed) | NO reason
 * The signer signs only what the database says is being issued. */
#ifndef ESONR_SIGNER_CLIENT_H
#define ESONR_SIGNER_CLIENT_H
#include <stddef.h>

enum signer_answer { SIGNER_SIGNED, SIGNER_REFUSED, SIGNER_UNREACHABLE };

void signer_configure(const char *socket_path);
/* Asks for the PDF of certificate number; why says why not (refused or unreachable). */
enum signer_answer signer_issue(const char *number, char *why, size_t whylen);

#endif
