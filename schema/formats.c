/*
 * "x-mixcompose-format": checks in C that the schema also states as a
 * "pattern" for editors.  PCRE2 without JIT spends ~400 ns on the port
 * pattern, which is most of the time of a 5000-service walk; these take
 * a few ns.  Tests hold both to the same examples.
 */
#include "schema/schema_int.h"

#include <string.h>

#include "util/xalloc.h"

/* "${VAR}" or "$VAR" left by --no-interpolate, as the patterns allow. */
static bool has_variable(const char *s)
{
	for (s = strchr(s, '$'); s; s = strchr(s + 1, '$')) {
		char c = s[1];

		if (c == '{' || c == '_' || (c >= 'A' && c <= 'Z') ||
		    (c >= 'a' && c <= 'z'))
			return true;
	}
	return false;
}

/* One port 0-65535 of 1-5 digits (five digits may not start with 0). */
static const char *port_number(const char *s)
{
	const char *p = s;
	long v = 0;

	while (*p >= '0' && *p <= '9' && p - s < 6)
		v = v * 10 + (*p++ - '0');
	if (p == s || p - s > 5 || v > 65535 || (p - s == 5 && *s == '0'))
		return NULL;
	return p;
}

/* PORT or PORT-PORT; returns the end, or NULL. */
static const char *port_range(const char *s)
{
	const char *p = port_number(s);

	if (p && *p == '-')
		p = port_number(p + 1);
	return p;
}

static bool range_is(const char *s, const char *end)
{
	const char *p = port_range(s);

	return p && p == end;
}

static bool ipv4_is(const char *s, const char *end)
{
	for (int part = 0; part < 4; part++) {
		const char *d = s;

		while (s < end && *s >= '0' && *s <= '9' && s - d < 4)
			s++;
		if (s == d || s - d > 3)
			return false;
		if (part < 3 && (s >= end || *s++ != '.'))
			return false;
	}
	return s == end;
}

/* "[::1]" */
static const char *ipv6_bracketed(const char *s)
{
	const char *p = s + 1;

	while (*p && strchr("0123456789abcdefABCDEF:.", *p))
		p++;
	return *p == ']' && p > s + 1 ? p + 1 : NULL;
}

/*
 * [HOST_IP:][HOST_PORT[-RANGE]]:CONTAINER_PORT[-RANGE][/PROTOCOL], as
 * docker splits it: one part is the container port, two are host and
 * container, three start with an IPv4 address ("[v6]" in brackets).
 */
static bool port_spec_ok(const char *s)
{
	const char *end = s + strlen(s), *slash = strrchr(s, '/');
	const char *c1, *c2;

	if (slash) {
		if (strcmp(slash, "/tcp") && strcmp(slash, "/udp") &&
		    strcmp(slash, "/sctp"))
			return false;
		end = slash;
	}
	if (*s == '[') {
		s = ipv6_bracketed(s);
		if (!s || *s != ':')
			return false;
		c1 = memchr(s + 1, ':', (size_t)(end - s - 1));
		return c1 && (c1 == s + 1 || range_is(s + 1, c1)) &&
		       range_is(c1 + 1, end);
	}
	c1 = memchr(s, ':', (size_t)(end - s));
	if (!c1)
		return range_is(s, end);
	c2 = memchr(c1 + 1, ':', (size_t)(end - c1 - 1));
	if (!c2)
		return (c1 == s || range_is(s, c1)) && range_is(c1 + 1, end);
	return ipv4_is(s, c1) && (c2 == c1 + 1 || range_is(c1 + 1, c2)) &&
	       range_is(c2 + 1, end);
}

/* Go's time.ParseDuration units, and a bare "0". */
static bool duration_ok(const char *s)
{
	static const char *const units[] = {"ns", "us", "\xc2\xb5s", "ms",
					    "s",  "m",	"h"};

	if (*s == '-' || *s == '+')
		s++;
	if (!strcmp(s, "0"))
		return true;
	if (!*s)
		return false;
	while (*s) {
		const char *d = s;
		size_t i;

		while (*s >= '0' && *s <= '9')
			s++;
		if (*s == '.')
			for (s++; *s >= '0' && *s <= '9'; s++)
				;
		if (s == d || (s == d + 1 && *d == '.'))
			return false;
		/* "ms" comes before "m", so "5ms" is not 5m and a stray 's'. */
		for (i = 0; i < ARRAY_SIZE(units); i++)
			if (!strncmp(s, units[i], strlen(units[i])))
				break;
		if (i == ARRAY_SIZE(units))
			return false;
		s += strlen(units[i]);
	}
	return true;
}

bool sch_cformat_known(const char *name)
{
	return !strcmp(name, "port") || !strcmp(name, "port-range") ||
	       !strcmp(name, "duration");
}

bool sch_cformat_ok(const char *name, const char *s)
{
	if (has_variable(s))
		return true;
	if (!strcmp(name, "port"))
		return port_spec_ok(s);
	if (!strcmp(name, "port-range"))
		return range_is(s, s + strlen(s));
	if (!strcmp(name, "duration"))
		return duration_ok(s);
	return true;
}
