#include "core/datetime.h"

#include <string.h>

static int digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 1;
}

static int days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : days[m - 1];
}

static int date_prefix(const char *s)
{
	int y, m, d;
	if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) || s[7] != '-' ||
	    !digits(s + 8, 2, &d))
		return 0;
	return y >= 1900 && y <= 2199 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

int date_valid(const char *s)
{
	return s != NULL && strlen(s) == 10 && date_prefix(s);
}

int timestamp_valid(const char *s)
{
	int h, mi, sec, oh, om;
	if (s == NULL || strlen(s) < 17 || !date_prefix(s) || (s[10] != 'T' && s[10] != ' '))
		return 0;
	if (!digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) || h > 23 || mi > 59)
		return 0;
	const char *p = s + 16;
	if (*p == ':') {
		if (!digits(p + 1, 2, &sec) || sec > 59)
			return 0;
		p += 3;
	}
	if (strcmp(p, "Z") == 0)
		return 1;
	if ((*p != '+' && *p != '-') || strlen(p) != 6 || !digits(p + 1, 2, &oh) || p[3] != ':' ||
	    !digits(p + 4, 2, &om))
		return 0;
	return oh <= 14 && om <= 59;
}
