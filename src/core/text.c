#include "core/text.h"

#include <string.h>

int text_is_id(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;
	return n > 0 && n <= 18 && strspn(s, "0123456789") == n;
}
