#define PCRE2_CODE_UNIT_WIDTH 8
#include "util/rx.h"
#include "util/xalloc.h"

#include <pcre2.h>
#include <string.h>

struct rx {
	char *pattern;
	pcre2_code *code;
	pcre2_match_data *md;
	unsigned long matches;
	struct rx *next;
};

static struct rx *cache;

const struct rx *rx_get(const char *pattern, char *errmsg, int errlen)
{
	struct rx *r;
	int errcode;
	PCRE2_SIZE erroff;
	pcre2_code *code;

	for (r = cache; r; r = r->next)
		if (!strcmp(r->pattern, pattern))
			return r;
	code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
			     PCRE2_UTF, &errcode, &erroff, NULL);
	if (!code) {
		if (errmsg && errlen > 0)
			pcre2_get_error_message(errcode, (PCRE2_UCHAR *)errmsg,
						(PCRE2_SIZE)errlen);
		return NULL;
	}
	r = xcalloc(1, sizeof(*r));
	r->pattern = xstrdup(pattern);
	r->code = code;
	r->md = pcre2_match_data_create_from_pattern(code, NULL);
	r->next = cache;
	cache = r;
	return r;
}

/*
 * JIT-compiling costs about as much as a few hundred interpreted matches,
 * so only a pattern that is used that often gets it (a 5000-service file
 * matches the port pattern thousands of times; most patterns run once).
 */
#define RX_JIT_AFTER 256

bool rx_search(const struct rx *rx, const char *subject)
{
	struct rx *r = (struct rx *)rx; /* the cache entry owns its counter */
	int rc;

	if (++r->matches == RX_JIT_AFTER)
		(void)pcre2_jit_compile(r->code, PCRE2_JIT_COMPLETE);
	rc = pcre2_match(r->code, (PCRE2_SPTR)subject, PCRE2_ZERO_TERMINATED, 0,
			 0, r->md, NULL);
	return rc >= 0;
}

bool rx_match(const char *pattern, const char *subject)
{
	const struct rx *rx = rx_get(pattern, NULL, 0);

	return rx && rx_search(rx, subject);
}

void rx_cache_clear(void)
{
	struct rx *r, *next;

	for (r = cache; r; r = next) {
		next = r->next;
		pcre2_match_data_free(r->md);
		pcre2_code_free(r->code);
		free(r->pattern);
		free(r);
	}
	cache = NULL;
}
