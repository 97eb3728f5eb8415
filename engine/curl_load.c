/*
 * libcurl, loaded on first use.  Linking it makes every start pay for
 * relocating its ~30 dependent libraries (TLS, Kerberos, LDAP, ssh) and
 * for their constructors, even for commands that never talk to a daemon
 * (`config`, `plan --offline`); with dlopen only the commands that create
 * an engine pay, once.  And only those that need TLS: the others use the
 * built-in HTTP-only libcurl when the build has one (curl_builtin.c).
 */
#include "engine/engine_int.h"

#include <assert.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "compat/compat.h"
#include "util/xalloc.h"

#define ENG_LIBCURL "curl" /* libcurl.so.4, libcurl-4.dll */
#define ENG_LIBCURL_ABI 4

struct eng_curl_api eng_curl;

static const struct {
	const char *name;
	size_t off;
} syms[] = {
#define SYM(fn, field)                                                         \
	{                                                                      \
#fn, offsetof(struct eng_curl_api, field)                      \
	}
	SYM(curl_easy_init, easy_init),
	SYM(curl_easy_setopt, easy_setopt),
	SYM(curl_easy_getinfo, easy_getinfo),
	SYM(curl_easy_reset, easy_reset),
	SYM(curl_easy_cleanup, easy_cleanup),
	SYM(curl_easy_strerror, easy_strerror),
	SYM(curl_slist_append, slist_append),
	SYM(curl_slist_free_all, slist_free_all),
	SYM(curl_share_init, share_init),
	SYM(curl_share_setopt, share_setopt),
	SYM(curl_share_cleanup, share_cleanup),
	SYM(curl_multi_init, multi_init),
	SYM(curl_multi_setopt, multi_setopt),
	SYM(curl_multi_add_handle, multi_add_handle),
	SYM(curl_multi_remove_handle, multi_remove_handle),
	SYM(curl_multi_perform, multi_perform),
	SYM(curl_multi_poll, multi_poll),
	SYM(curl_multi_info_read, multi_info_read),
	SYM(curl_multi_cleanup, multi_cleanup),
	SYM(curl_easy_perform, easy_perform),
	SYM(curl_easy_send, easy_send),
	SYM(curl_easy_recv, easy_recv),
#undef SYM
};

/* The table is filled through void pointers, as dlsym returns them. */
_Static_assert(sizeof(void *) == sizeof(void (*)(void)),
	       "function pointers must be the size of data pointers");
_Static_assert(sizeof(struct eng_curl_api) ==
		       sizeof(syms) / sizeof(syms[0]) * sizeof(void *),
	       "every field of struct eng_curl_api has a symbol");

static enum { CURL_NONE, CURL_BUILTIN, CURL_SYSTEM } loaded;
static bool in_use; /* a handle was made: no switching any more */
static struct eng_curl_api real;

/*
 * The three constructors go through these, so that the table knows once
 * a handle of its library exists.
 */
static CURL *easy_init_used(void)
{
	in_use = true;
	return real.easy_init();
}

static CURLM *multi_init_used(void)
{
	in_use = true;
	return real.multi_init();
}

static CURLSH *share_init_used(void)
{
	in_use = true;
	return real.share_init();
}

static void install(const struct eng_curl_api *api)
{
	real = *api;
	eng_curl = *api;
	eng_curl.easy_init = easy_init_used;
	eng_curl.multi_init = multi_init_used;
	eng_curl.share_init = share_init_used;
}

static int load_system(const char *path, struct diag *err)
{
	static void *lib;
	struct eng_curl_api api;
	char why[512];

	/*
	 * RTLD_LOCAL: curl's symbols stay out of the global scope, so they
	 * can only be reached through the table.
	 */
	lib = compat_dl_open(path, why, sizeof(why));
	if (!lib)
		return diag_set(err, DIAG_ETRANSPORT, NULL,
				"cannot load %s: %s", path, why);
	for (size_t i = 0; i < ARRAY_SIZE(syms); i++) {
		void *p = compat_dl_sym(lib, syms[i].name);

		if (!p) {
			/* curl_multi_poll, the newest, needs 7.66. */
			diag_set(err, DIAG_ETRANSPORT, NULL,
				 "cannot load %s: it has no '%s' (libcurl "
				 "7.66 or later is needed)",
				 path, syms[i].name);
			compat_dl_close(lib);
			lib = NULL;
			return DIAG_ETRANSPORT;
		}
		memcpy((char *)&api + syms[i].off, &p, sizeof(p));
	}
	install(&api);
	/* Stays loaded until exit: handles may live as long as the process. */
	return 0;
}

int eng_curl_load(bool tls, struct diag *err)
{
	const char *path = getenv("MIXCOMPOSE_LIBCURL");
	bool named = path && *path;
	struct eng_curl_api api;
	char name[64];

	if (loaded == CURL_SYSTEM || (loaded == CURL_BUILTIN && !tls))
		return 0;
	if (loaded == CURL_BUILTIN && in_use)
		return diag_set(err, DIAG_ETRANSPORT, NULL,
				"TLS needs the system's libcurl, but this "
				"process already talks to a daemon through "
				"the built-in HTTP-only libcurl");
	if (!tls && !named && eng_curl_builtin(&api)) {
		install(&api);
		loaded = CURL_BUILTIN;
		return 0;
	}
	if (!named)
		path = compat_dl_name(name, sizeof(name), ENG_LIBCURL,
				      ENG_LIBCURL_ABI);
	if (load_system(path, err))
		return DIAG_ETRANSPORT;
	loaded = CURL_SYSTEM;
	return 0;
}

bool eng_curl_is_builtin(void)
{
	return loaded == CURL_BUILTIN;
}
