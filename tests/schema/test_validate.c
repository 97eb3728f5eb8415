/* The built-in schema over compose documents. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "helpers.h"
#include "util/rx.h"
#include "util/sbuf.h"

#define E DIAG_ERROR
#define W DIAG_WARNING

static int check_text(struct diag_list *dl, const char *yaml)
{
	struct arena *a = arena_new();
	int rc = schema_validate(th_parse(a, yaml), dl);

	arena_free(a);
	return rc;
}

Test(schema_validate, port_out_of_range_is_not_a_valid_port)
{
	struct diag_list dl = DIAG_LIST_INIT;
	int rc = th_validate_file(&dl, FIXTURE("schema/bad_port.yaml"));

	cr_assert_eq(rc, DIAG_ESCHEMA);
	cr_assert_eq(dl.errors, 1);
	cr_assert_eq(dl.items[0].d.code, DIAG_ESCHEMA);
	cr_assert_not_null(
		th_find(&dl, E, 14, 9,
			"services.web.ports[1]: '80800' is not a valid port"));
	diag_list_release(&dl);
}

Test(schema_validate, unknown_key_did_you_mean_at_the_key)
{
	struct diag_list dl = DIAG_LIST_INIT;
	int rc = th_validate_file(&dl, FIXTURE("schema/unknown_key.yaml"));

	cr_assert_eq(rc, DIAG_ESCHEMA);
	cr_assert_eq(dl.errors, 1);
	cr_assert_not_null(th_find(
		&dl, E, 7, 5,
		"services.web: unknown key 'prots' (did you mean 'ports'?)"));
	diag_list_release(&dl);
}

Test(schema_validate, every_problem_is_reported_at_once)
{
	struct diag_list dl = DIAG_LIST_INIT;

	cr_assert_eq(th_validate_file(&dl, FIXTURE("schema/several.yaml")),
		     DIAG_ESCHEMA);
	cr_assert_not_null(
		th_find(&dl, E, 4, 5, "services.web: unknown key 'prots'"));
	cr_assert_not_null(
		th_find(&dl, E, 6, 9,
			"services.web.ports[0]: '70000' is not a valid port"));
	cr_assert_not_null(th_find(
		&dl, E, 7, 9,
		"services.web.ports[1]: '8080:80/tcpx' is not a valid port"));
	cr_assert_not_null(th_find(&dl, E, 8, 14,
				   "services.web.restart: 'sometimes' is not a "
				   "valid restart policy"));
	cr_assert_not_null(
		th_find(&dl, E, 10, 12,
			"services.api.image: '42' is not of type string"));
	cr_assert_not_null(th_find(&dl, E, 12, 13,
				   "services.api.depends_on.web: unknown key "
				   "'condtion' (did you mean 'condition'?)"));
	cr_assert_not_null(th_find(&dl, E, 12, 12,
				   "services.api.depends_on.web: missing "
				   "required key 'condition'"));
	cr_assert_not_null(th_find(&dl, E, 14, 17,
				   "services.api.healthcheck.interval: '10 "
				   "seconds' is not a valid duration"));
	cr_assert_eq(dl.errors, 8);
	diag_list_release(&dl);
}

Test(schema_validate, port_forms_that_are_valid)
{
	struct diag_list dl = DIAG_LIST_INIT;
	int rc = check_text(
		&dl, "services:\n  w:\n    image: x\n    ports:\n"
		     "      - 80\n      - \"80\"\n      - 0\n      - 65535\n"
		     "      - 8080:80\n      - 127.0.0.1:8080:80/udp\n"
		     "      - \"[::1]:53:53/udp\"\n      - 8000-8010:80-90\n"
		     "      - 127.0.0.1::80\n      - 9000:9000/sctp\n"
		     "      - ${WEB_PORT}:80\n");

	cr_assert_eq(rc, 0);
	cr_assert_eq(dl.nr, 0);
	diag_list_release(&dl);
}

Test(schema_validate, port_forms_that_are_not)
{
	struct diag_list dl = DIAG_LIST_INIT;

	cr_assert_eq(check_text(&dl,
				"services:\n  w:\n    image: x\n    ports:\n"
				"      - 65536\n      - \"80800\"\n"
				"      - 80800:80\n      - 80:80/icmp\n"
				"      - -1\n      - 8.5\n      - web\n"),
		     DIAG_ESCHEMA);
	cr_assert_eq(dl.errors, 7);
	for (int i = 0; i < 7; i++) {
		char want[64];

		snprintf(want, sizeof(want), "services.w.ports[%d]: '", i);
		cr_assert_not_null(th_find(&dl, E, 5 + i, 9, want), "item %d",
				   i);
		cr_assert(strstr(dl.items[i].d.msg, "is not a valid port"),
			  "%s", dl.items[i].d.msg);
	}
	diag_list_release(&dl);
}

Test(schema_validate, port_long_form_checks_its_keys)
{
	struct diag_list dl = DIAG_LIST_INIT;

	cr_assert_eq(
		check_text(&dl,
			   "services:\n  w:\n    image: x\n    ports:\n"
			   "      - target: 80\n        published: 80800\n"
			   "        protocl: tcp\n      - published: 80\n"),
		DIAG_ESCHEMA);
	cr_assert_eq(dl.errors, 3);
	cr_assert_not_null(th_find(
		&dl, E, 6, 20,
		"services.w.ports[0].published: '80800' is not a valid port"));
	cr_assert_not_null(
		th_find(&dl, E, 7, 9,
			"unknown key 'protocl' (did you mean 'protocol'?)"));
	cr_assert_not_null(
		th_find(&dl, E, 8, 9,
			"services.w.ports[1]: missing required key 'target'"));
	diag_list_release(&dl);
}

Test(schema_validate, unsupported_keys_warn_and_still_pass)
{
	struct diag_list dl = DIAG_LIST_INIT;

	cr_assert_eq(th_validate_file(&dl, FIXTURE("schema/unsupported.yaml")),
		     0);
	cr_assert_eq(dl.errors, 0);
	/* build is acted on now: no warning. */
	cr_assert_null(th_find(&dl, W, 4, 5, "act on 'build'"));
	/* A Swarm-only key that compose v2 ignores outside Swarm too. */
	cr_assert_not_null(
		th_find(&dl, W, 9, 7,
			"services.web.deploy.endpoint_mode: "
			"'endpoint_mode' is ignored: Swarm's service discovery "
			"(vip or dnsrr); compose v2 ignores it outside Swarm"));
	/* deploy.resources is acted on, but not a Swarm-only reservation. */
	cr_assert_not_null(
		th_find(&dl, W, 12, 11,
			"services.web.deploy.resources.reservations."
			"cpus: 'cpus' is ignored: a Swarm scheduling "
			"reservation; compose v2 ignores it outside Swarm"));
	/* secrets, deploy itself and deploy.replicas are acted on. */
	cr_assert_null(th_find(&dl, W, 13, 5, "act on 'secrets'"));
	cr_assert_eq(dl.warnings, 2);
	diag_list_release(&dl);
}

Test(schema_validate, unsupported_key_with_a_bad_value_is_still_an_error)
{
	struct diag_list dl = DIAG_LIST_INIT;

	cr_assert_eq(check_text(&dl, "services:\n  w:\n    image: x\n"
				     "    deploy:\n      placement:\n"
				     "        wieght: 300\n"),
		     DIAG_ESCHEMA);
	cr_assert_not_null(th_find(&dl, W, 5, 7, "'placement' is ignored: "));
	cr_assert_not_null(th_find(&dl, E, 6, 9, "unknown key 'wieght'"));
	diag_list_release(&dl);
}

Test(schema_validate, version_is_obsolete)
{
	struct diag_list dl = DIAG_LIST_INIT;

	cr_assert_eq(th_validate_file(&dl, FIXTURE("schema/version.yaml")), 0);
	cr_assert_eq(dl.errors, 0);
	cr_assert_eq(dl.warnings, 1);
	cr_assert_not_null(th_find(
		&dl, W, 1, 1, "version: the attribute 'version' is obsolete"));
	diag_list_release(&dl);
	cr_assert_eq(check_text(&dl, "version: 3.8\nservices: {}\n"), 0);
	cr_assert_eq(dl.warnings, 1);
	diag_list_release(&dl);
}

Test(schema_validate, x_extensions_are_accepted_where_compose_allows_them)
{
	struct diag_list dl = DIAG_LIST_INIT;
	int rc = th_validate_file(&dl, FIXTURE("schema/extensions.yaml"));

	if (dl.nr)
		th_dump(&dl);
	cr_assert_eq(rc, 0);
	cr_assert_eq(dl.nr, 0);
	diag_list_release(&dl);
}

Test(schema_validate, x_keys_are_not_allowed_in_free_maps_of_environment)
{
	struct diag_list dl = DIAG_LIST_INIT;

	/* In environment any key is a variable, so x-foo is just a name. */
	cr_assert_eq(check_text(&dl, "services:\n  w:\n    image: x\n"
				     "    environment:\n      x-foo: [1]\n"),
		     DIAG_ESCHEMA);
	cr_assert_not_null(
		th_find(&dl, E, 5, 14,
			"services.w.environment.x-foo: must be of type"));
	diag_list_release(&dl);
}

Test(schema_validate, mixcompose_extension_valid)
{
	struct diag_list dl = DIAG_LIST_INIT;
	int rc = th_validate_file(&dl, FIXTURE("schema/mix_valid.yaml"));

	if (dl.nr)
		th_dump(&dl);
	cr_assert_eq(rc, 0);
	cr_assert_eq(dl.nr, 0);
	diag_list_release(&dl);
}

Test(schema_validate, mixcompose_extension_invalid)
{
	struct diag_list dl = DIAG_LIST_INIT;

	cr_assert_eq(th_validate_file(&dl, FIXTURE("schema/mix_invalid.yaml")),
		     DIAG_ESCHEMA);
	cr_assert_not_null(
		th_find(&dl, E, 4, 17,
			"x-mixcompose.daemons.linux.endpoint: "
			"'http://localhost:2375' is not a valid endpoint"));
	cr_assert_not_null(th_find(&dl, E, 8, 11,
				   "x-mixcompose.daemons.windows.os: 'win' "
				   "must be one of: linux, windows"));
	cr_assert_not_null(th_find(&dl, E, 9, 12,
				   "x-mixcompose.daemons.windows.lab: 'yes' is "
				   "not of type boolean"));
	cr_assert_not_null(th_find(&dl, E, 11, 7,
				   "x-mixcompose.daemons.other: unknown key "
				   "'endpont' (did you mean 'endpoint'?)"));
	cr_assert_not_null(th_find(&dl, E, 12, 17,
				   "x-mixcompose.address_pool: '172.31.0.0/40' "
				   "is not a valid address pool"));
	cr_assert_not_null(th_find(&dl, E, 13, 17,
				   "x-mixcompose.address_mode: 'bridge' must "
				   "be one of: container, host"));
	cr_assert_not_null(th_find(&dl, E, 19, 7,
				   "services.web.x-mixcompose: unknown key "
				   "'deamon' (did you mean 'daemon'?)"));
	cr_assert_eq(dl.errors, 7);
	diag_list_release(&dl);
}

Test(schema_validate, misspelt_extension_name_warns)
{
	struct diag_list dl = DIAG_LIST_INIT;

	cr_assert_eq(check_text(&dl, "x-mixcompse:\n  daemons: {}\n"
				     "services:\n  w:\n    image: x\n"
				     "    x-mixcomposer: {daemon: a}\n"),
		     0);
	cr_assert_eq(dl.warnings, 2);
	cr_assert_not_null(th_find(&dl, W, 1, 1,
				   "unknown extension 'x-mixcompse' (did you "
				   "mean 'x-mixcompose'?)"));
	cr_assert_not_null(th_find(
		&dl, W, 6, 5, "services.w: unknown extension 'x-mixcomposer'"));
	diag_list_release(&dl);
}

Test(schema_validate, real_world_file_has_no_error)
{
	struct diag_list dl = DIAG_LIST_INIT;
	int rc = th_validate_file(&dl, FIXTURE("schema/realworld.yaml"));

	if (dl.nr)
		th_dump(&dl);
	cr_assert_eq(rc, 0);
	cr_assert_eq(dl.errors, 0);
	cr_assert_eq(dl.warnings, 0);
	diag_list_release(&dl);
}

Test(schema_validate, windows_forms_are_valid)
{
	struct diag_list dl = DIAG_LIST_INIT;
	int rc = th_validate_file(&dl, FIXTURE("schema/windows.yaml"));

	if (dl.nr)
		th_dump(&dl);
	cr_assert_eq(rc, 0);
	cr_assert_eq(dl.nr, 0);
	diag_list_release(&dl);
}

Test(schema_validate, top_level_typo_has_no_path_prefix)
{
	struct diag_list dl = DIAG_LIST_INIT;

	cr_assert_eq(check_text(&dl, "name: p\nservics:\n  w: {image: x}\n"),
		     DIAG_ESCHEMA);
	cr_assert_eq(dl.errors, 1);
	cr_assert_str_eq(dl.items[0].d.msg,
			 "unknown key 'servics' (did you mean 'services'?)");
	cr_assert_eq(dl.items[0].d.loc.line, 2);
	cr_assert_eq(dl.items[0].d.loc.col, 1);
	diag_list_release(&dl);
}

Test(schema_validate, root_must_be_a_mapping)
{
	struct diag_list dl = DIAG_LIST_INIT;

	cr_assert_eq(check_text(&dl, "- a\n- b\n"), DIAG_ESCHEMA);
	cr_assert_not_null(
		th_find(&dl, E, 1, 1, "must be of type object, not array"));
	diag_list_release(&dl);
}

Test(schema_validate, empty_document_is_not_a_schema_error)
{
	struct diag_list dl = DIAG_LIST_INIT;

	cr_assert_eq(schema_validate(NULL, &dl), 0);
	cr_assert_eq(dl.nr, 0);
}

Test(schema_validate, bad_service_name)
{
	struct diag_list dl = DIAG_LIST_INIT;

	cr_assert_eq(check_text(&dl, "services:\n  my web:\n    image: x\n"),
		     DIAG_ESCHEMA);
	cr_assert_not_null(
		th_find(&dl, E, 2, 3, "services: 'my web' is not a valid key"));
	diag_list_release(&dl);
}

Test(schema_validate, depends_on_condition_enum_and_list_form)
{
	struct diag_list dl = DIAG_LIST_INIT;

	cr_assert_eq(check_text(&dl,
				"services:\n  a:\n    image: x\n"
				"    depends_on: [b, c]\n  b:\n    image: x\n"
				"    depends_on:\n      a: {condition: "
				"service_ready}\n"),
		     DIAG_ESCHEMA);
	cr_assert_eq(dl.errors, 1);
	cr_assert_not_null(
		th_find(&dl, E, 8, 22,
			"services.b.depends_on.a.condition: 'service_ready' "
			"must be one of: service_started, service_healthy, "
			"service_completed_successfully"));
	diag_list_release(&dl);
}

Test(schema_validate, environment_list_or_map)
{
	struct diag_list dl = DIAG_LIST_INIT;

	cr_assert_eq(
		check_text(&dl,
			   "services:\n  a:\n    image: x\n"
			   "    environment: [A=1, B]\n  b:\n    image: x\n"
			   "    environment: {A: 1, B: null, C: true, D: s}\n"),
		0);
	cr_assert_eq(check_text(&dl, "services:\n  a:\n    image: x\n"
				     "    environment: A=1\n"),
		     DIAG_ESCHEMA);
	cr_assert_not_null(th_find(&dl, E, 4, 18,
				   "services.a.environment: 'A=1' is not of "
				   "type object or array"));
	diag_list_release(&dl);
}

Test(schema_validate, command_forms)
{
	struct diag_list dl = DIAG_LIST_INIT;

	cr_assert_eq(
		check_text(&dl,
			   "services:\n  a:\n    image: x\n"
			   "    command: echo hi\n    entrypoint: [sh, -c]\n"),
		0);
	cr_assert_eq(check_text(&dl, "services:\n  a:\n    image: x\n"
				     "    command: {run: x}\n"),
		     DIAG_ESCHEMA);
	cr_assert_not_null(th_find(&dl, E, 4, 14,
				   "services.a.command: must be of type "
				   "string, array or null, not object"));
	diag_list_release(&dl);
}

Test(schema_validate, cap_add_duplicates)
{
	struct diag_list dl = DIAG_LIST_INIT;

	cr_assert_eq(
		check_text(&dl,
			   "services:\n  a:\n    image: x\n"
			   "    cap_add: [NET_ADMIN, SYS_TIME, NET_ADMIN]\n"),
		DIAG_ESCHEMA);
	cr_assert_not_null(
		th_find(&dl, E, 4, 36,
			"services.a.cap_add[2]: duplicate item 'NET_ADMIN'"));
	diag_list_release(&dl);
}

Test(schema_validate, networks_ipam_and_service_addresses)
{
	struct diag_list dl = DIAG_LIST_INIT;

	cr_assert_eq(check_text(&dl,
				"services:\n  a:\n    image: x\n"
				"    networks:\n      n:\n"
				"        ipv4_address: 10.0.0.999\n"
				"networks:\n  n:\n    ipam:\n      config:\n"
				"        - subnet: 10.0.0.0\n"),
		     DIAG_ESCHEMA);
	cr_assert_eq(dl.errors, 2);
	cr_assert_not_null(th_find(&dl, E, 6, 23,
				   "services.a.networks.n.ipv4_address: "
				   "'10.0.0.999' is not a valid ipv4"));
	cr_assert_not_null(th_find(&dl, E, 11, 19,
				   "networks.n.ipam.config[0].subnet: "
				   "'10.0.0.0' is not a valid subnet"));
	diag_list_release(&dl);
}

Test(schema_validate, platform_and_pull_policy)
{
	struct diag_list dl = DIAG_LIST_INIT;

	cr_assert_eq(check_text(&dl, "services:\n  a:\n    image: x\n"
				     "    platform: windows amd64\n"
				     "    pull_policy: sometimes\n"),
		     DIAG_ESCHEMA);
	cr_assert_eq(dl.errors, 2);
	cr_assert_not_null(th_find(&dl, E, 4, 15,
				   "services.a.platform: 'windows amd64' is "
				   "not a valid platform"));
	cr_assert_not_null(th_find(&dl, E, 5, 18,
				   "services.a.pull_policy: 'sometimes' is not "
				   "a valid pull policy"));
	diag_list_release(&dl);
}

Test(schema_validate, warnings_inside_a_chosen_branch_survive)
{
	struct diag_list dl = DIAG_LIST_INIT;

	/*
	 * A long form (as build's): the branch that matches keeps the
	 * warning of its ignored key, the branch that failed leaves none.
	 */
	cr_assert_eq(th_check(&dl,
			      "{\"properties\": {\"b\": {\"oneOf\": ["
			      "{\"type\": \"string\"},"
			      "{\"type\": \"object\", \"properties\": {"
			      "\"context\": {\"type\": \"string\"},"
			      "\"old\": {\"x-mixcompose-unsupported\": "
			      "\"gone\"}}}]}}}",
			      "b:\n  context: .\n  old: [1]\n"),
		     0);
	cr_assert_eq(dl.warnings, 1);
	cr_assert_not_null(
		th_find(&dl, W, 3, 3, "b.old: 'old' is ignored: gone"));
	diag_list_release(&dl);
}

Test(schema_validate, survives_rx_cache_clear)
{
	struct diag_list dl = DIAG_LIST_INIT;
	const char *doc = "services:\n  a:\n    image: x\n    restart: maybe\n";

	cr_assert_eq(check_text(&dl, doc), DIAG_ESCHEMA);
	rx_cache_clear();
	cr_assert_eq(check_text(&dl, doc), DIAG_ESCHEMA);
	cr_assert_eq(dl.errors, 2);
	cr_assert_not_null(th_find(&dl, E, 4, 14,
				   "'maybe' is not a valid restart policy"));
	diag_list_release(&dl);
}

/* ---- A large file ----------------------------------------------------- */

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

Test(schema_validate, five_thousand_services_validate_clean)
{
	struct arena *a = arena_new();
	struct sbuf sb = SBUF_INIT;
	struct diag_list dl = DIAG_LIST_INIT;
	struct compose_node *doc;
	double best = 1e9;

	sbuf_adds(&sb, "services:\n");
	for (int i = 0; i < 5000; i++) {
		sbuf_addf(&sb,
			  "  s%d:\n    image: busybox:%d\n"
			  "    command: [sleep, \"%d\"]\n"
			  "    environment: {A: 1, B: two, C: \"3\", D: x, E: "
			  "y}\n"
			  "    ports: [\"%d:80\", %d]\n"
			  "    labels: {tier: t%d}\n",
			  i, i, i, 10000 + i, 20000 + i, i);
		if (i)
			sbuf_addf(&sb, "    depends_on: [s%d]\n", i - 1);
		sbuf_adds(&sb, "    healthcheck: {test: [CMD, \"true\"], "
			       "interval: 5s}\n");
	}
	doc = th_parse(a, sb.buf);
	cr_assert_eq(schema_validate(doc, &dl),
		     0); /* warm: compiles the schema */
	for (int r = 0; r < 5; r++) {
		double t0 = now_ms();

		schema_validate(doc, &dl);
		if (now_ms() - t0 < best)
			best = now_ms() - t0;
	}
	cr_assert_eq(dl.nr, 0);
	/* Speed is measured by bench/config.sh, never by a timed unit test. */
	cr_log_info("5000 services validated in %.2f ms", best);
	sbuf_release(&sb);
	arena_free(a);
}

Test(schema_validate, empty_service_says_null_not_quotes)
{
	struct diag_list dl = DIAG_LIST_INIT;

	cr_assert_eq(
		check_text(&dl, "services:\n  web:\n  db:\n    image: x\n"),
		DIAG_ESCHEMA);
	cr_assert_eq(dl.errors, 1);
	cr_assert_str_eq(dl.items[0].d.msg,
			 "services.web: must be of type object, not null");
	cr_assert_eq(dl.items[0].d.loc.line, 2);
	diag_list_release(&dl);
}

Test(schema_validate, external_name_is_deprecated)
{
	struct diag_list dl = DIAG_LIST_INIT;

	cr_assert_eq(check_text(&dl, "services: {}\nnetworks:\n  n:\n"
				     "    external:\n      name: real\n"),
		     0);
	cr_assert_eq(dl.warnings, 1);
	cr_assert_not_null(th_find(&dl, W, 5, 7,
				   "networks.n.external.name: 'external.name' "
				   "is deprecated; use 'name'"));
	diag_list_release(&dl);
}

/* compose-spec: durations are strings that time.ParseDuration accepts. */
Test(schema_validate, duration_without_unit_is_refused_with_an_example)
{
	struct diag_list dl = DIAG_LIST_INIT;

	cr_assert_neq(check_text(&dl, "services:\n  web:\n    image: x\n"
				      "    stop_grace_period: 10\n"
				      "    healthcheck:\n"
				      "      interval: \"30\"\n"),
		      0);
	cr_assert_not_null(th_find(&dl, E, 4, 24,
				   "services.web.stop_grace_period: '10' is "
				   "not a valid duration (a number with a "
				   "unit, e.g. '10s', '1m30s', '500ms')"));
	cr_assert_not_null(th_find(&dl, E, 6, 17,
				   "services.web.healthcheck.interval: '30' is "
				   "not a valid duration"));
	cr_assert_eq(dl.errors, 2);
	diag_list_release(&dl);
}

Test(schema_validate, duration_zero_and_units_are_valid)
{
	struct diag_list dl = DIAG_LIST_INIT;

	cr_assert_eq(check_text(&dl, "services:\n  web:\n    image: x\n"
				     "    stop_grace_period: \"0\"\n"
				     "    healthcheck:\n"
				     "      interval: 1m30s\n"
				     "      timeout: 500ms\n"
				     "      start_period: 1.5h\n"),
		     0);
	cr_assert_eq(dl.errors, 0);
	diag_list_release(&dl);
}

Test(schema_validate, env_file_format_is_acted_on)
{
	struct diag_list dl = DIAG_LIST_INIT;

	cr_assert_eq(check_text(&dl, "services:\n  a:\n    image: x\n"
				     "    env_file:\n      - path: a.env\n"
				     "        format: raw\n      - b.env\n"),
		     0);
	cr_assert_eq(dl.warnings, 0);
	cr_assert_eq(dl.errors, 0);
	diag_list_release(&dl);
}

Test(schema_validate, label_file_is_a_path_or_a_list_of_paths)
{
	struct diag_list dl = DIAG_LIST_INIT;

	cr_assert_eq(check_text(&dl, "services:\n  a:\n    image: x\n"
				     "    label_file: a.labels\n"
				     "  b:\n    image: x\n"
				     "    label_file: [a.labels, b.labels]\n"),
		     0);
	cr_assert_eq(dl.warnings, 0, "label_file is acted on");
	cr_assert_neq(check_text(&dl, "services:\n  a:\n    image: x\n"
				      "    label_file:\n      path: a\n"),
		      0);
	cr_assert_not_null(th_find(&dl, E, 5, 7, "services.a.label_file"));
	diag_list_release(&dl);
}

Test(schema_validate, build_keys_accepted_without_a_warning)
{
	struct diag_list dl = DIAG_LIST_INIT;

	/* cache_to and entitlements are acted on (BuildKit): no warning. */
	cr_assert_eq(th_validate_file(&dl, FIXTURE("schema/build.yaml")), 0);
	cr_assert_eq(dl.errors, 0);
	cr_assert_eq(dl.warnings, 0, "%zu warnings", dl.warnings);
	diag_list_release(&dl);
}
