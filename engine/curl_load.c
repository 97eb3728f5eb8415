/*
 * libcurl, loaded on first use.  Linking it makes every start pay for
 * relocating its ~30 dependent libraries (TLS, Kerberos, LDAP, ssh) and
 * for their constructors, even for commands that never talk to a daemon
 * (`config`, `plan --offline`); with dlopen only the commands that create
 * an engine pay, once.
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

int eng_curl_load(struct diag *err)
{
	static void *lib;
	const char *path = getenv("MIXCOMPOSE_LIBCURL");
	char name[64], why[512];

	if (lib)
		return 0;
	if (!path || !*path)
		path = compat_dl_name(name, sizeof(name), ENG_LIBCURL,
				      ENG_LIBCURL_ABI);
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
			memset(&eng_curl, 0, sizeof(eng_curl));
			compat_dl_close(lib);
			lib = NULL;
			return DIAG_ETRANSPORT;
		}
		memcpy((char *)&eng_curl + syms[i].off, &p, sizeof(p));
	}
	/* Stays loaded until exit: handles may live as long as the process. */
	return 0;
}
