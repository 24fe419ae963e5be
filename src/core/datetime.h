/* Syntax checks for dates and timestamps that arrive as text (forms, CLI, CSV). */
#ifndef ESONR_DATETIME_H
#define ESONR_DATETIME_H

/* "YYYY-MM-DD", a real calendar date between 1900 and 2199. */
int date_valid(const char *s);
/* ISO 8601 with an offset: "YYYY-MM-DDTHH:MM[:SS](Z|+HH:MM|-HH:MM)". */
int timestamp_valid(const char *s);

#endif
