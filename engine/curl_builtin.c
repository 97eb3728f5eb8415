/*
 * The built-in libcurl: when the build links an HTTP-only libcurl.a
 * (scripts/curl-http.sh; it needs nothing but libc), its functions fill the
 * table that every curl call of engine/ goes through.  Loading Debian's
 * libcurl4 and its ~30 libraries costs every command about 20 ms of CPU
 * (bench/day2.sh); a daemon reached without TLS needs none of them.
 */
#define ENG_CURL_NO_MACROS
#include "engine/engine_int.h"

#ifdef MIXCOMPOSE_CURL_BUILTIN

bool eng_curl_builtin(struct eng_curl_api *out)
{
	*out = (struct eng_curl_api){
		.easy_init = curl_easy_init,
		.easy_setopt = curl_easy_setopt,
		.easy_getinfo = curl_easy_getinfo,
		.easy_reset = curl_easy_reset,
		.easy_cleanup = curl_easy_cleanup,
		.easy_strerror = curl_easy_strerror,
		.slist_append = curl_slist_append,
		.slist_free_all = curl_slist_free_all,
		.share_init = curl_share_init,
		.share_setopt = curl_share_setopt,
		.share_cleanup = curl_share_cleanup,
		.multi_init = curl_multi_init,
		.multi_setopt = curl_multi_setopt,
		.multi_add_handle = curl_multi_add_handle,
		.multi_remove_handle = curl_multi_remove_handle,
		.multi_perform = curl_multi_perform,
		.multi_poll = curl_multi_poll,
		.multi_info_read = curl_multi_info_read,
		.multi_cleanup = curl_multi_cleanup,
		.easy_perform = curl_easy_perform,
		.easy_send = curl_easy_send,
		.easy_recv = curl_easy_recv,
	};
	return true;
}

#else

bool eng_curl_builtin(struct eng_curl_api *out)
{
	(void)out;
	return false;
}

#endif
