/* Small checks on text that arrives from outside (paths, forms, CSV, the command line). */
#ifndef ESONR_TEXT_H
#define ESONR_TEXT_H

/* A database id as text: 1 to 18 digits (always fits a bigint). */
int text_is_id(const char *s);

#endif
