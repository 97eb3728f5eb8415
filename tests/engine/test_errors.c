#include <criterion/criterion.h>
#include <string.h>

#include "engine/engine.h"

Test(engine_errors, not_found_names_everything)
{
	struct diag err = {0};
	const char *body = "{\"message\":\"No such container: web\"}";
	int rc = engine_http_error(&err, "linux", "GET",
				   "/v1.41/containers/web/json", 404, body,
				   strlen(body));

	cr_assert_eq(rc, DIAG_ENOTFOUND);
	cr_assert_eq(err.code, DIAG_ENOTFOUND);
	cr_assert_str_eq(err.msg,
			 "daemon 'linux': GET /v1.41/containers/web/json: "
			 "404 Not Found: No such container: web");
}

Test(engine_errors, server_error_is_engine_error)
{
	struct diag err = {0};
	const char *body = "{\"message\":\"pull access denied for x\"}";

	cr_assert_eq(engine_http_error(&err, "linux", "POST",
				       "/v1.41/images/create?fromImage=x", 500,
				       body, strlen(body)),
		     DIAG_EENGINE);
	cr_assert(strstr(err.msg, "500 Internal Server Error: pull access "
				  "denied for x"),
		  "%s", err.msg);
}

Test(engine_errors, plain_text_body_is_used_trimmed)
{
	struct diag err = {0};
	const char *body = "page not found\n";

	engine_http_error(&err, "w", "GET", "/x", 404, body, strlen(body));
	cr_assert_str_eq(err.msg,
			 "daemon 'w': GET /x: 404 Not Found: page not found");
}

Test(engine_errors, empty_body_has_no_trailing_colon)
{
	struct diag err = {0};

	engine_http_error(&err, "w", "DELETE", "/v1.41/networks/n", 409, "", 0);
	cr_assert_str_eq(err.msg,
			 "daemon 'w': DELETE /v1.41/networks/n: 409 Conflict");
}

Test(engine_errors, unknown_status_has_no_reason)
{
	struct diag err = {0};

	engine_http_error(&err, "w", "GET", "/x", 418, NULL, 0);
	cr_assert_str_eq(err.msg, "daemon 'w': GET /x: 418");
	cr_assert_str_eq(engine_http_reason(304), "Not Modified");
	cr_assert_str_eq(engine_http_reason(599), "");
}
