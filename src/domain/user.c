#include "domain/user.h"

#include <string.h>

const char *role_name(enum role r)
{
	switch (r) {
	case ROLE_CANDIDATE: return "candidate";
	case ROLE_EXAMINER: return "examiner";
	case ROLE_ADMIN: return "admin";
	}
	return "unknown";
}

int role_parse(const char *s, enum role *r)
{
	static const enum role all[] = { ROLE_CANDIDATE, ROLE_EXAMINER, ROLE_ADMIN };
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		if (strcmp(s, role_name(all[i])) == 0) {
			*r = all[i];
			return 0;
		}
	return -1;
}
