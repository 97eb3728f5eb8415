/* compose_project_normalize(): from the merged document to the typed model. */
#include "load_helpers.h"

static struct lt t;

static void setup(void)
{
	lt_init(&t);
}

static void teardown(void)
{
	lt_done(&t);
}

TestSuite(compose_normalize, .init = setup, .fini = teardown);

/* One service "s" with the given attribute lines (indented 4). */
static const struct compose_service *svc(const char *attrs)
{
	char buf[4096];

	snprintf(buf, sizeof(buf),
		 "services:\n  s:\n    image: x\n%s"
		 "  other:\n    image: y\n"
		 "volumes:\n  named: {}\n"
		 "networks:\n  front: {}\n  back: {}\n",
		 attrs);
	lt_ok(&t, buf);
	return lt_svc(&t, "s");
}

/* Loads a one-service file expected to fail normalization. */
static void svc_bad(const char *attrs)
{
	char buf[4096];

	snprintf(buf, sizeof(buf), "services:\n  s:\n    image: x\n%s", attrs);
	lt_write(&t, "compose.yaml", buf);
	cr_assert_eq(lt_load(&t), 0, "%s", t.err.msg);
	cr_assert_eq(t.nrc, DIAG_EMODEL);
}

static const char *env(const struct compose_service *s, const char *k)
{
	const struct compose_kv *kv =
		lt_kv(s->environment, s->n_environment, k);

	cr_assert_not_null(kv, "no environment %s", k);
	return kv->value;
}

/* ---- ports ------------------------------------------------------------ */

Test(compose_normalize, port_target_only)
{
	const struct compose_service *s = svc("    ports: [\"80\"]\n");

	cr_assert_eq(s->n_ports, 1);
	cr_assert_eq(s->ports[0].target, 80);
	cr_assert_null(s->ports[0].published);
	cr_assert_str_eq(s->ports[0].protocol, "tcp");
	cr_assert_str_eq(s->ports[0].mode, "ingress");
}

Test(compose_normalize, port_integer)
{
	const struct compose_service *s = svc("    ports: [8080]\n");

	cr_assert_eq(s->ports[0].target, 8080);
}

Test(compose_normalize, port_published_and_target)
{
	const struct compose_service *s = svc("    ports: [\"8080:80\"]\n");

	cr_assert_str_eq(s->ports[0].published, "8080");
	cr_assert_eq(s->ports[0].target, 80);
	cr_assert_null(s->ports[0].host_ip);
}

Test(compose_normalize, port_host_ip_and_protocol)
{
	const struct compose_service *s =
		svc("    ports: [\"127.0.0.1:8080:80/udp\"]\n");

	cr_assert_str_eq(s->ports[0].host_ip, "127.0.0.1");
	cr_assert_str_eq(s->ports[0].protocol, "udp");
}

Test(compose_normalize, port_ranges_expand)
{
	const struct compose_service *s =
		svc("    ports: [\"8000-8001:80-81\"]\n");

	cr_assert_eq(s->n_ports, 2);
	cr_assert_str_eq(s->ports[1].published, "8001");
	cr_assert_eq(s->ports[1].target, 81);
}

Test(compose_normalize, port_host_range_to_one_target)
{
	const struct compose_service *s =
		svc("    ports: [\"9000-9010:80\"]\n");

	cr_assert_eq(s->n_ports, 1);
	cr_assert_str_eq(s->ports[0].published, "9000-9010");
}

Test(compose_normalize, port_ipv6_host_ip)
{
	const struct compose_service *s = svc("    ports: [\"[::1]:80:80\"]\n");

	cr_assert_str_eq(s->ports[0].host_ip, "::1");
	cr_assert_eq(s->ports[0].target, 80);
}

Test(compose_normalize, port_long_syntax)
{
	const struct compose_service *s =
		svc("    ports:\n      - target: 443\n        published: 8443\n"
		    "        host_ip: 0.0.0.0\n        protocol: tcp\n"
		    "        mode: host\n        name: https\n");

	cr_assert_eq(s->ports[0].target, 443);
	cr_assert_str_eq(s->ports[0].published, "8443");
	cr_assert_str_eq(s->ports[0].mode, "host");
	cr_assert_str_eq(s->ports[0].name, "https");
}

Test(compose_normalize, port_out_of_range_is_an_error)
{
	svc_bad("    ports:\n      - \"80:80\"\n      - \"80800\"\n");
	lt_expect(&t, "services.s.ports[1]: '80800' is not a valid port", 6, 9);
}

Test(compose_normalize, port_bad_protocol_is_an_error)
{
	svc_bad("    ports: [\"80:80/icmp\"]\n");
	lt_expect(&t, "'80:80/icmp' is not a valid port", 4, 13);
}

Test(compose_normalize, port_mismatched_ranges_are_an_error)
{
	svc_bad("    ports: [\"8000-8002:80-81\"]\n");
	lt_expect(&t, "ports[0]", 4, 13);
}

Test(compose_normalize, port_bad_host_ip_is_an_error)
{
	svc_bad("    ports: [\"1.2.3:80:80\"]\n");
	lt_expect(&t, "ports[0]", 4, 13);
}

Test(compose_normalize, port_long_without_target_is_an_error)
{
	svc_bad("    ports:\n      - published: 80\n");
	lt_expect(&t, "ports[0]", 5, 9);
}

/* ---- volumes ---------------------------------------------------------- */

Test(compose_normalize, volume_relative_bind_is_absolute)
{
	const struct compose_service *s =
		svc("    volumes: [\"./data:/data:ro\"]\n");
	char want[256];

	snprintf(want, sizeof(want), "%s/data", t.dir);
	cr_assert_eq(s->volumes[0].type, COMPOSE_MOUNT_BIND);
	cr_assert_str_eq(s->volumes[0].source, want);
	cr_assert_str_eq(s->volumes[0].target, "/data");
	cr_assert(s->volumes[0].read_only);
	cr_assert_eq(s->volumes[0].bind_create_host_path, 1);
}

Test(compose_normalize, volume_parent_relative_bind)
{
	const struct compose_service *s = svc("    volumes: [\"../up:/u\"]\n");

	cr_assert_str_eq(s->volumes[0].source, "/tmp/up");
}

Test(compose_normalize, volume_named)
{
	const struct compose_service *s = svc("    volumes: [\"named:/x\"]\n");

	cr_assert_eq(s->volumes[0].type, COMPOSE_MOUNT_VOLUME);
	cr_assert_str_eq(s->volumes[0].source, "named");
}

Test(compose_normalize, volume_undeclared_named_is_an_error)
{
	svc_bad("    volumes:\n      - ghost:/x\n");
	lt_expect(&t, "undefined volume 'ghost'", 5, 9);
}

Test(compose_normalize, volume_bind_options)
{
	const struct compose_service *s =
		svc("    volumes: [\"/abs:/x:rw,z\"]\n");

	cr_assert_str_eq(s->volumes[0].source, "/abs");
	cr_assert_not(s->volumes[0].read_only);
	cr_assert_str_eq(s->volumes[0].bind_selinux, "z");
}

Test(compose_normalize, volume_propagation_and_nocopy)
{
	const struct compose_service *s =
		svc("    volumes: [\"/a:/a:rshared\", \"named:/n:nocopy\"]\n");

	cr_assert_str_eq(s->volumes[0].bind_propagation, "rshared");
	cr_assert_eq(s->volumes[1].volume_nocopy, 1);
}

Test(compose_normalize, volume_anonymous)
{
	const struct compose_service *s = svc("    volumes: [\"/cache\"]\n");

	cr_assert_eq(s->volumes[0].type, COMPOSE_MOUNT_VOLUME);
	cr_assert_null(s->volumes[0].source);
	cr_assert_str_eq(s->volumes[0].target, "/cache");
}

Test(compose_normalize, volume_windows_drive_paths)
{
	const struct compose_service *s =
		svc("    volumes: ['C:\\data:C:\\app\\data']\n");

	cr_assert_eq(s->volumes[0].type, COMPOSE_MOUNT_BIND);
	cr_assert_str_eq(s->volumes[0].source, "C:\\data");
	cr_assert_str_eq(s->volumes[0].target, "C:\\app\\data");
}

Test(compose_normalize, volume_windows_drive_with_mode)
{
	const struct compose_service *s =
		svc("    volumes: ['D:/logs:C:/logs:ro']\n");

	cr_assert_str_eq(s->volumes[0].source, "D:/logs");
	cr_assert_str_eq(s->volumes[0].target, "C:/logs");
	cr_assert(s->volumes[0].read_only);
}

Test(compose_normalize, volume_named_pipe)
{
	const struct compose_service *s = svc(
		"    volumes: "
		"['\\\\.\\pipe\\docker_engine:\\\\.\\pipe\\docker_engine']\n");

	cr_assert_eq(s->volumes[0].type, COMPOSE_MOUNT_NPIPE);
	cr_assert_str_eq(s->volumes[0].source, "\\\\.\\pipe\\docker_engine");
	cr_assert_str_eq(s->volumes[0].target, "\\\\.\\pipe\\docker_engine");
}

Test(compose_normalize, volume_home_tilde)
{
	const struct compose_service *s =
		svc("    volumes: [\"~/cfg:/cfg\"]\n");

	cr_assert_str_eq(s->volumes[0].source, "/home/tester/cfg");
}

Test(compose_normalize, volume_long_bind)
{
	const struct compose_service *s =
		svc("    volumes:\n      - type: bind\n        source: ./src\n"
		    "        target: /src\n        read_only: true\n"
		    "        bind:\n          propagation: rprivate\n"
		    "          create_host_path: false\n");

	cr_assert(strstr(s->volumes[0].source, "/src"));
	cr_assert_eq(s->volumes[0].source[0], '/');
	cr_assert(s->volumes[0].read_only);
	cr_assert_str_eq(s->volumes[0].bind_propagation, "rprivate");
	cr_assert_eq(s->volumes[0].bind_create_host_path, 0);
}

Test(compose_normalize, volume_long_tmpfs)
{
	const struct compose_service *s = svc(
		"    volumes:\n      - type: tmpfs\n        target: /tmp\n"
		"        tmpfs:\n          size: 64m\n          mode: 1777\n");

	cr_assert_eq(s->volumes[0].type, COMPOSE_MOUNT_TMPFS);
	cr_assert_eq(s->volumes[0].tmpfs_size, 64LL << 20);
	cr_assert_eq(s->volumes[0].tmpfs_mode, 1777);
}

Test(compose_normalize, volume_long_npipe)
{
	const struct compose_service *s =
		svc("    volumes:\n      - type: npipe\n"
		    "        source: '\\\\.\\pipe\\x'\n        target: "
		    "'\\\\.\\pipe\\x'\n");

	cr_assert_eq(s->volumes[0].type, COMPOSE_MOUNT_NPIPE);
}

Test(compose_normalize, volume_long_undeclared_is_an_error)
{
	svc_bad("    volumes:\n      - type: volume\n        source: nope\n"
		"        target: /x\n");
	lt_expect(&t, "undefined volume 'nope'", 5, 9);
}

Test(compose_normalize, volume_empty_section_is_an_error)
{
	svc_bad("    volumes: [\"/a::/b\"]\n");
	lt_expect(&t, "'/a::/b' is not a valid volume spec", 4, 15);
}

/* ---- depends_on, links, volumes_from ---------------------------------- */

Test(compose_normalize, depends_on_list_gets_defaults)
{
	const struct compose_service *s = svc("    depends_on: [other]\n");

	cr_assert_eq(s->n_depends_on, 1);
	cr_assert_str_eq(s->depends_on[0].condition, "service_started");
	cr_assert(s->depends_on[0].required);
	cr_assert_not(s->depends_on[0].restart);
}

Test(compose_normalize, depends_on_map_keeps_options)
{
	const struct compose_service *s =
		svc("    depends_on:\n      other:\n"
		    "        condition: service_completed_successfully\n"
		    "        restart: true\n        required: false\n");

	cr_assert_str_eq(s->depends_on[0].condition,
			 "service_completed_successfully");
	cr_assert(s->depends_on[0].restart);
	cr_assert_not(s->depends_on[0].required);
}

Test(compose_normalize, depends_on_unknown_service_is_an_error)
{
	svc_bad("    depends_on:\n      - db\n");
	lt_expect(&t, "depends_on: undefined service 'db'", 5, 9);
}

Test(compose_normalize, depends_on_bad_condition_is_an_error)
{
	svc_bad("    depends_on:\n      s:\n        condition: "
		"service_ready\n");
	lt_expect(&t, "'service_ready' is not a valid condition", 6, 20);
}

Test(compose_normalize, links_to_unknown_service_is_an_error)
{
	svc_bad("    links: [\"db:database\"]\n");
	lt_expect(&t, "links: undefined service 'db'", 2, 3);
}

Test(compose_normalize, volumes_from_forms)
{
	const struct compose_service *s =
		svc("    volumes_from: [\"other:ro\", \"service:other\", "
		    "\"container:abc\"]\n");

	cr_assert_eq(s->volumes_from.n, 3);
}

Test(compose_normalize, volumes_from_unknown_is_an_error)
{
	svc_bad("    volumes_from: [ghost]\n");
	cr_assert_not_null(
		lt_diag(&t, "volumes_from: undefined service 'ghost'"));
}

Test(compose_normalize, network_mode_service_unknown_is_an_error)
{
	svc_bad("    network_mode: \"service:ghost\"\n");
	cr_assert_not_null(
		lt_diag(&t, "network_mode: undefined service 'ghost'"));
}

/* ---- healthcheck ------------------------------------------------------ */

Test(compose_normalize, healthcheck_string_test_is_cmd_shell)
{
	const struct compose_service *s =
		svc("    healthcheck:\n      test: curl -f http://localhost\n"
		    "      interval: 1m30s\n      timeout: 500ms\n"
		    "      start_period: 1h\n      retries: 4\n");

	cr_assert_eq(s->healthcheck.test.n, 2);
	cr_assert_str_eq(s->healthcheck.test.v[0], "CMD-SHELL");
	cr_assert_eq(s->healthcheck.interval_ns, 90000000000LL);
	cr_assert_eq(s->healthcheck.timeout_ns, 500000000LL);
	cr_assert_eq(s->healthcheck.start_period_ns, 3600000000000LL);
	cr_assert_eq(s->healthcheck.retries, 4);
}

Test(compose_normalize, healthcheck_list_test)
{
	const struct compose_service *s =
		svc("    healthcheck:\n      test: [\"CMD\", \"true\"]\n");

	cr_assert_eq(s->healthcheck.test.n, 2);
	cr_assert_eq(s->healthcheck.interval_ns, -1);
	cr_assert_eq(s->healthcheck.retries, -1);
}

Test(compose_normalize, healthcheck_disable_is_none)
{
	const struct compose_service *s =
		svc("    healthcheck:\n      disable: true\n");

	cr_assert(s->healthcheck.disable);
	cr_assert_str_eq(s->healthcheck.test.v[0], "NONE");
}

Test(compose_normalize, healthcheck_bad_duration_is_an_error)
{
	svc_bad("    healthcheck:\n      test: [CMD, x]\n      interval: 10 "
		"parsecs\n");
	lt_expect(&t,
		  "healthcheck.interval: '10 parsecs' is not a valid duration",
		  6, 17);
}

/*
 * compose v2 parses durations with Go's time.ParseDuration, which wants a
 * unit on every number but "0", and its schema wants a string.
 */
Test(compose_normalize, stop_grace_period_without_unit_is_an_error)
{
	svc_bad("    stop_grace_period: 10\n");
	lt_expect(&t,
		  "services.s.stop_grace_period: '10' is not a valid duration "
		  "(a number with a unit, e.g. '10s'",
		  4, 24);
}

Test(compose_normalize, stop_grace_period_quoted_number_is_an_error)
{
	svc_bad("    stop_grace_period: \"90\"\n");
	lt_expect(&t, "stop_grace_period: '90' is not a valid duration", 4, 24);
}

Test(compose_normalize, stop_grace_period_fraction_without_unit_is_an_error)
{
	svc_bad("    stop_grace_period: \"1.5\"\n");
	lt_expect(&t, "'1.5' is not a valid duration", 4, 24);
}

Test(compose_normalize, stop_grace_period_zero_needs_no_unit)
{
	cr_assert_eq(
		svc("    stop_grace_period: \"0\"\n")->stop_grace_period_ns, 0);
}

Test(compose_normalize, stop_grace_period_with_units)
{
	cr_assert_eq(
		svc("    stop_grace_period: 1m30s\n")->stop_grace_period_ns,
		90000000000LL);
}

Test(compose_normalize, healthcheck_duration_without_unit_is_an_error)
{
	svc_bad("    healthcheck:\n      test: [CMD, x]\n      timeout: "
		"\"5\"\n");
	lt_expect(&t, "healthcheck.timeout: '5' is not a valid duration", 6,
		  16);
}

/* ---- command and entrypoint ------------------------------------------- */

Test(compose_normalize, command_string_splits_like_a_shell)
{
	const struct compose_service *s =
		svc("    command: sh -c 'echo \"a b\"' next\n");

	cr_assert_eq(s->command.n, 4);
	cr_assert_str_eq(s->command.v[2], "echo \"a b\"");
}

Test(compose_normalize, entrypoint_list_kept)
{
	const struct compose_service *s =
		svc("    entrypoint: [\"/bin/sh\", \"-c\"]\n");

	cr_assert_eq(s->entrypoint.n, 2);
	cr_assert_null(s->command.v);
}

Test(compose_normalize, command_unterminated_quote_is_an_error)
{
	svc_bad("    command: echo 'oops\n");
	cr_assert_not_null(lt_diag(&t, "services.s.command"));
}

/* ---- environment, env_file, labels, extra_hosts ----------------------- */

Test(compose_normalize, environment_list_forms)
{
	const struct compose_service *s =
		svc("    environment:\n      - A=1\n      - B\n      - C=\n"
		    "      - D=x=y\n");

	cr_assert_str_eq(env(s, "A"), "1");
	cr_assert_null(env(s, "B"));
	cr_assert_str_eq(env(s, "C"), "");
	cr_assert_str_eq(env(s, "D"), "x=y");
}

Test(compose_normalize, environment_map_forms)
{
	const struct compose_service *s =
		svc("    environment:\n      A: 1\n      B:\n      C: true\n"
		    "      D: 1.5\n");

	cr_assert_str_eq(env(s, "A"), "1");
	cr_assert_null(env(s, "B"));
	cr_assert_str_eq(env(s, "C"), "true");
	cr_assert_str_eq(env(s, "D"), "1.5");
}

Test(compose_normalize, environment_bare_name_from_shell)
{
	const struct compose_service *s;

	lt_env(&t, "FROM_SHELL=yes");
	s = svc("    environment: [FROM_SHELL]\n");
	cr_assert_str_eq(env(s, "FROM_SHELL"), "yes");
}

Test(compose_normalize, env_file_string)
{
	const struct compose_service *s;

	lt_write(&t, "app.env", "X=1\nY=\"two words\"\n");
	s = svc("    env_file: app.env\n");
	cr_assert_str_eq(env(s, "X"), "1");
	cr_assert_str_eq(env(s, "Y"), "two words");
}

Test(compose_normalize, env_file_list_later_wins_environment_wins_all)
{
	const struct compose_service *s;

	lt_write(&t, "a.env", "X=a\nY=a\nZ=a\n");
	lt_write(&t, "b.env", "Y=b\nZ=b\n");
	s = svc("    env_file: [a.env, b.env]\n    environment: [Z=env]\n");
	cr_assert_str_eq(env(s, "X"), "a");
	cr_assert_str_eq(env(s, "Y"), "b");
	cr_assert_str_eq(env(s, "Z"), "env");
	cr_assert_eq(s->n_environment, 3);
}

Test(compose_normalize, env_file_optional_missing_is_fine)
{
	const struct compose_service *s =
		svc("    env_file:\n      - path: missing.env\n        "
		    "required: false\n");

	cr_assert_eq(s->n_environment, 0);
}

Test(compose_normalize, env_file_required_missing_is_an_error)
{
	svc_bad("    env_file:\n      - path: missing.env\n");
	lt_expect(&t, "missing.env' not found", 5, 15);
}

Test(compose_normalize, env_file_string_missing_is_an_error)
{
	svc_bad("    env_file: nope.env\n");
	lt_expect(&t, "env_file[0]", 4, 15);
}

Test(compose_normalize, labels_list_and_map)
{
	const struct compose_service *s = svc("    labels: [\"a=1\", \"b\"]\n");

	cr_assert_eq(s->n_labels, 2);
	cr_assert_str_eq(lt_kv(s->labels, s->n_labels, "b")->value, "");
}

Test(compose_normalize, extra_hosts_list_forms)
{
	const struct compose_service *s =
		svc("    extra_hosts:\n      - \"db:10.0.0.2\"\n"
		    "      - \"cache=10.0.0.3\"\n      - \"v6:::1\"\n"
		    "      - \"gw=host-gateway\"\n");

	cr_assert_eq(s->n_extra_hosts, 4);
	cr_assert_str_eq(lt_kv(s->extra_hosts, 4, "db")->value, "10.0.0.2");
	cr_assert_str_eq(lt_kv(s->extra_hosts, 4, "cache")->value, "10.0.0.3");
	cr_assert_str_eq(lt_kv(s->extra_hosts, 4, "v6")->value, "::1");
	cr_assert_str_eq(lt_kv(s->extra_hosts, 4, "gw")->value, "host-gateway");
}

Test(compose_normalize, extra_hosts_map)
{
	const struct compose_service *s =
		svc("    extra_hosts:\n      db: 10.0.0.2\n");

	cr_assert_str_eq(s->extra_hosts[0].value, "10.0.0.2");
}

Test(compose_normalize, extra_hosts_without_address_is_an_error)
{
	svc_bad("    extra_hosts: [\"lonely\"]\n");
	lt_expect(&t, "'lonely' has no address", 4, 19);
}

/* ---- networks --------------------------------------------------------- */

Test(compose_normalize, service_default_network)
{
	const struct compose_service *s = svc("");
	const struct compose_network *n = compose_network_find(t.p, "default");

	cr_assert_eq(s->n_networks, 1);
	cr_assert_str_eq(s->networks[0].name, "default");
	cr_assert_not_null(n);
	cr_assert(strstr(n->name, "_default"));
}

Test(compose_normalize, network_mode_means_no_default_network)
{
	const struct compose_service *s = svc("    network_mode: host\n");

	cr_assert_eq(s->n_networks, 0);
	cr_assert_str_eq(s->network_mode, "host");
}

Test(compose_normalize, service_networks_list)
{
	const struct compose_service *s = svc("    networks: [front, back]\n");

	cr_assert_eq(s->n_networks, 2);
	cr_assert_str_eq(s->networks[1].name, "back");
}

Test(compose_normalize, service_networks_map_options)
{
	const struct compose_service *s =
		svc("    networks:\n      front:\n        aliases: [www, web]\n"
		    "        ipv4_address: 10.5.0.10\n"
		    "        ipv6_address: fd00::10\n        priority: 100\n"
		    "      back:\n");

	cr_assert_eq(s->networks[0].aliases.n, 2);
	cr_assert_str_eq(s->networks[0].ipv4_address, "10.5.0.10");
	cr_assert_str_eq(s->networks[0].ipv6_address, "fd00::10");
	cr_assert_eq(s->networks[0].priority, 100);
	cr_assert_null(s->networks[1].ipv4_address);
}

Test(compose_normalize, undefined_network_is_an_error)
{
	svc_bad("    networks: [ghost]\n");
	lt_expect(&t, "networks: undefined network 'ghost'", 4, 16);
}

Test(compose_normalize, top_level_network_names)
{
	lt_ok(&t, "name: proj\nservices:\n  s:\n    image: x\n    networks: "
		  "[a, b, c, d]\n"
		  "networks:\n  a: {}\n  b:\n    name: real-b\n"
		  "  c:\n    external: true\n  d:\n    external:\n      name: "
		  "legacy\n");
	cr_assert_str_eq(compose_network_find(t.p, "a")->name, "proj_a");
	cr_assert_str_eq(compose_network_find(t.p, "b")->name, "real-b");
	cr_assert_str_eq(compose_network_find(t.p, "c")->name, "c");
	cr_assert(compose_network_find(t.p, "c")->external);
	cr_assert_str_eq(compose_network_find(t.p, "d")->name, "legacy");
	cr_assert_null(compose_network_find(t.p, "default"));
	cr_assert_str_eq(t.p->networks[0].key, "a");
}

Test(compose_normalize, top_level_network_options)
{
	const struct compose_network *n;

	lt_ok(&t,
	      "services:\n  s:\n    image: x\n    networks: [n]\nnetworks:\n  "
	      "n:\n"
	      "    driver: bridge\n    internal: true\n    attachable: true\n"
	      "    enable_ipv6: true\n    labels: [a=b]\n"
	      "    driver_opts:\n      com.docker.network.bridge.name: br0\n"
	      "    ipam:\n      driver: default\n      config:\n"
	      "        - subnet: 10.9.0.0/16\n          gateway: 10.9.0.1\n"
	      "          ip_range: 10.9.1.0/24\n");
	n = compose_network_find(t.p, "n");
	cr_assert_str_eq(n->driver, "bridge");
	cr_assert(n->internal && n->attachable && n->enable_ipv6);
	cr_assert_eq(n->n_labels, 1);
	cr_assert_eq(n->n_driver_opts, 1);
	cr_assert_str_eq(n->ipam_driver, "default");
	cr_assert_str_eq(n->ipam[0].subnet, "10.9.0.0/16");
	cr_assert_str_eq(n->ipam[0].gateway, "10.9.0.1");
	cr_assert_str_eq(n->ipam[0].ip_range, "10.9.1.0/24");
}

Test(compose_normalize, top_level_volumes)
{
	lt_ok(&t, "name: proj\nservices:\n  s:\n    image: x\n"
		  "volumes:\n  b: {}\n  a:\n    external: true\n"
		  "  c:\n    name: real-c\n    driver: local\n");
	cr_assert_eq(t.p->n_volumes, 3);
	cr_assert_str_eq(t.p->volumes[0].key, "a");
	cr_assert_str_eq(t.p->volumes[0].name, "a");
	cr_assert_str_eq(t.p->volumes[1].name, "proj_b");
	cr_assert_str_eq(t.p->volumes[2].name, "real-c");
	cr_assert_str_eq(t.p->volumes[2].driver, "local");
}

/* ---- scalars ---------------------------------------------------------- */

Test(compose_normalize, platform_split_and_lowercased)
{
	const struct compose_service *s = svc("    platform: linux/arm64/v8\n");

	cr_assert_str_eq(s->platform.os, "linux");
	cr_assert_str_eq(s->platform.arch, "arm64");
	cr_assert_str_eq(s->platform.variant, "v8");
}

Test(compose_normalize, platform_windows)
{
	const struct compose_service *s =
		svc("    platform: windows/amd64\n    isolation: hyperv\n");

	cr_assert_str_eq(s->platform.raw, "windows/amd64");
	cr_assert_str_eq(s->platform.os, "windows");
	cr_assert_null(s->platform.variant);
	cr_assert_str_eq(s->isolation, "hyperv");
}

Test(compose_normalize, isolation_invalid_is_an_error)
{
	svc_bad("    isolation: vm\n");
	lt_expect(&t, "'vm' is not a valid isolation", 4, 16);
}

Test(compose_normalize, restart_policies)
{
	const struct compose_service *s = svc("    restart: on-failure:3\n");

	cr_assert_str_eq(s->restart, "on-failure:3");
}

Test(compose_normalize, restart_invalid_is_an_error)
{
	svc_bad("    restart: sometimes\n");
	lt_expect(&t, "'sometimes' is not a valid restart policy", 4, 14);
}

Test(compose_normalize, plain_strings)
{
	const struct compose_service *s = svc(
		"    container_name: c1\n    hostname: h1\n    domainname: d1\n"
		"    working_dir: /w\n    user: \"1000:1000\"\n"
		"    stop_signal: SIGINT\n    pull_policy: never\n"
		"    mem_limit: 512m\n");

	cr_assert_str_eq(s->container_name, "c1");
	cr_assert_str_eq(s->hostname, "h1");
	cr_assert_str_eq(s->domainname, "d1");
	cr_assert_str_eq(s->working_dir, "/w");
	cr_assert_str_eq(s->user, "1000:1000");
	cr_assert_str_eq(s->stop_signal, "SIGINT");
	cr_assert_str_eq(s->pull_policy, "never");
	cr_assert(s->keys[compose_key_find("mem_limit")].set);
	cr_assert_eq(s->keys[compose_key_find("mem_limit")].i, 512LL << 20);
}

/*
 * compose v2's getRestartPolicy: a restart_policy section replaces
 * `restart:` whole; no condition is the empty name, no max_attempts 0.
 */
Test(compose_normalize, restart_policy_without_condition_is_empty_name)
{
	const struct compose_service *s =
		svc("    restart: on-failure:5\n"
		    "    deploy:\n      restart_policy: {delay: 5s}\n");
	const struct compose_keyval *cond =
		&s->keys[compose_key_find("deploy.restart_policy.condition")];
	const struct compose_keyval *max = &s->keys[compose_key_find(
		"deploy.restart_policy.max_attempts")];

	cr_assert(cond->set && max->set);
	cr_assert_str_eq(cond->s, "");
	cr_assert_eq(max->i, 0);
	cr_assert_eq(cond->loc.line, 6);
	/* Without the section, `restart:` alone decides. */
	s = lt_svc(&t, "other");
	cr_assert_not(
		s->keys[compose_key_find("deploy.restart_policy.condition")]
			.set);
}

/* post_start / pre_stop (compose v2.30): a string command is split. */
Test(compose_normalize, hooks)
{
	const struct compose_service *s =
		svc("    post_start:\n"
		    "      - command: echo 'a b'\n"
		    "        user: root\n"
		    "        privileged: true\n"
		    "        environment: [X=1, Y]\n"
		    "    pre_stop:\n"
		    "      - command: [sh, -c, exit]\n"
		    "        working_dir: /w\n");

	cr_assert_eq(s->n_post_start, 1);
	cr_assert_eq(s->post_start[0].command.n, 2);
	cr_assert_str_eq(s->post_start[0].command.v[1], "a b");
	cr_assert_str_eq(s->post_start[0].user, "root");
	cr_assert(s->post_start[0].privileged);
	cr_assert_eq(s->post_start[0].n_environment, 2);
	cr_assert_null(s->post_start[0].environment[1].value);
	cr_assert_eq(s->n_pre_stop, 1);
	cr_assert_str_eq(s->pre_stop[0].working_dir, "/w");
	cr_assert_eq(s->pre_stop[0].command.n, 3);
	cr_assert_eq(lt_svc(&t, "other")->n_post_start, 0);
}

Test(compose_normalize, a_hook_without_command_is_an_error)
{
	svc_bad("    post_start:\n      - user: root\n");
}

Test(compose_normalize, booleans_and_init)
{
	const struct compose_service *s =
		svc("    init: false\n    tty: true\n    stdin_open: true\n"
		    "    privileged: true\n    read_only: true\n");

	cr_assert_eq(s->init, 0);
	cr_assert(s->tty && s->stdin_open && s->privileged && s->read_only);
	cr_assert_eq(lt_svc(&t, "other")->init, -1);
	cr_assert_not(lt_svc(&t, "other")->tty);
}

Test(compose_normalize, stop_grace_period)
{
	const struct compose_service *s = svc("    stop_grace_period: 1m5s\n");

	cr_assert_eq(s->stop_grace_period_ns, 65000000000LL);
	cr_assert_eq(lt_svc(&t, "other")->stop_grace_period_ns, -1);
}

Test(compose_normalize, scale_and_replicas)
{
	const struct compose_service *s =
		svc("    deploy:\n      replicas: 3\n");

	cr_assert_eq(s->scale, 3);
	cr_assert_eq(lt_svc(&t, "other")->scale, 1);
}

Test(compose_normalize, scale_key)
{
	cr_assert_eq(svc("    scale: 2\n")->scale, 2);
}

Test(compose_normalize, build_string_context)
{
	const struct compose_service *s = svc("    build: ./app\n");
	char want[256];

	snprintf(want, sizeof(want), "%s/app", t.dir);
	cr_assert_str_eq(s->build->context, want);
	cr_assert_str_eq(s->build->dockerfile, "Dockerfile");
}

Test(compose_normalize, build_map)
{
	const struct compose_service *s =
		svc("    build:\n      context: app\n      dockerfile: "
		    "Dockerfile.win\n"
		    "      target: final\n      args:\n        V: \"1\"\n");

	cr_assert(strstr(s->build->context, "/app"));
	cr_assert_str_eq(s->build->dockerfile, "Dockerfile.win");
	cr_assert_str_eq(s->build->target, "final");
	cr_assert_eq(s->build->n_args, 1);
}

Test(compose_normalize, build_remote_context_kept)
{
	const struct compose_service *s =
		svc("    build: https://github.com/example/app.git#main\n");

	cr_assert_str_eq(s->build->context,
			 "https://github.com/example/app.git#main");
}

Test(compose_normalize, strings_lists)
{
	const struct compose_service *s;

	lt_ok(&t, "services:\n  s:\n    image: x\n"
		  "    dns: 8.8.8.8\n    dns_search: [a.example]\n"
		  "    cap_add: [NET_ADMIN]\n    cap_drop: [ALL]\n"
		  "    expose: [\"3000\", 4000]\n    profiles: [p]\n");
	cr_assert_eq(t.p->n_services, 0); /* a profile: disabled */
	s = &t.p->disabled[0];
	cr_assert_eq(s->dns.n, 1);
	cr_assert_str_eq(s->dns_search.v[0], "a.example");
	cr_assert_str_eq(s->cap_add.v[0], "NET_ADMIN");
	cr_assert_str_eq(s->cap_drop.v[0], "ALL");
	cr_assert_eq(s->expose.n, 2);
	cr_assert_str_eq(s->expose.v[1], "4000");
	cr_assert_str_eq(s->profiles.v[0], "p");
}

/* ---- x-mixcompose ----------------------------------------------------- */

Test(compose_normalize, mixcompose_extension)
{
	const struct compose_mix *m;

	lt_ok(&t,
	      "services:\n  s:\n    image: x\n    x-mixcompose:\n      daemon: "
	      "win\n"
	      "x-mixcompose:\n  address_pool: 172.31.0.0/16\n"
	      "  address_mode: host\n  host_address: 192.168.1.5\n"
	      "  daemons:\n    win:\n      endpoint: tcp://h:2376\n"
	      "      os: windows\n      arch: amd64\n      tls_verify: true\n"
	      "      cert_path: ~/certs\n    lin:\n      context: default\n"
	      "      lab: true\n");
	m = &t.p->mix;
	cr_assert_str_eq(lt_svc(&t, "s")->daemon, "win");
	cr_assert_str_eq(m->address_pool, "172.31.0.0/16");
	cr_assert_str_eq(m->address_mode, "host");
	cr_assert_str_eq(m->host_address, "192.168.1.5");
	cr_assert_eq(m->n_daemons, 2);
	cr_assert_str_eq(m->daemons[0].endpoint, "tcp://h:2376");
	cr_assert(m->daemons[0].tls_verify);
	cr_assert_str_eq(m->daemons[0].cert_path, "/home/tester/certs");
	cr_assert_str_eq(m->daemons[1].context, "default");
	cr_assert(m->daemons[1].lab);
}

Test(compose_normalize, mixcompose_daemon_needs_an_endpoint)
{
	lt_write(&t, "compose.yaml",
		 "services:\n  s:\n    image: x\n"
		 "x-mixcompose:\n  daemons:\n    win:\n"
		 "      os: windows\n");
	lt_load(&t);
	lt_expect(&t, "x-mixcompose.daemons.win: needs 'endpoint'", 7, 7);
}

/* ---- the whole -------------------------------------------------------- */

Test(compose_normalize, services_sorted_and_found)
{
	lt_ok(&t, "services:\n  zeta:\n    image: z\n  alpha:\n    image: a\n"
		  "  mid:\n    image: m\n");
	cr_assert_str_eq(t.p->services[0].name, "alpha");
	cr_assert_str_eq(t.p->services[2].name, "zeta");
	cr_assert_str_eq(compose_service_find(t.p, "mid")->image, "m");
	cr_assert_null(compose_service_find(t.p, "nope"));
	cr_assert_eq(lt_svc(&t, "zeta")->loc.line, 2);
}

Test(compose_normalize, every_error_is_reported)
{
	svc_bad("    ports: [\"99999\"]\n    restart: bad\n    depends_on: "
		"[nope]\n"
		"    volumes: [\"ghost:/g\"]\n");
	cr_assert_eq(t.dl.errors, 4);
	lt_expect(&t, "ports[0]", 4, 13);
	lt_expect(&t, "restart", 5, 14);
	lt_expect(&t, "depends_on", 6, 18);
	lt_expect(&t, "ghost", 7, 15);
}

Test(compose_normalize, large_project_resolves_dependencies)
{
	struct sbuf sb = SBUF_INIT;

	sbuf_adds(&sb, "services:\n");
	for (int i = 0; i < 2000; i++) {
		sbuf_addf(&sb, "  s%d:\n    image: x\n", i);
		if (i)
			sbuf_addf(&sb, "    depends_on: [s%d]\n", i - 1);
	}
	lt_ok(&t, sb.buf);
	sbuf_release(&sb);
	cr_assert_eq(t.p->n_services, 2000);
	cr_assert_str_eq(lt_svc(&t, "s1999")->depends_on[0].service, "s1998");
}

/* ---- fixtures --------------------------------------------------------- */

Test(compose_normalize, fixture_reports_every_error_with_its_place)
{
	t.o.cwd = FIXTURE("compose/norm_errors");
	cr_assert_eq(lt_load(&t), 0, "%s", t.err.msg);
	cr_assert_eq(t.nrc, DIAG_EMODEL);
	cr_assert_eq(t.dl.errors, 4);
	lt_expect(&t, "services.web.ports[1]: '80800' is not a valid port", 7,
		  9);
	lt_expect(&t, "services.web.restart: 'sometimes'", 9, 14);
	lt_expect(&t, "services.api.volumes[0]: undefined volume 'undeclared'",
		  13, 9);
	lt_expect(&t, "services.api.healthcheck.interval: '5 minutes'", 16, 17);
}

Test(compose_normalize, fixture_windows_service)
{
	const struct compose_service *s;

	t.o.cwd = FIXTURE("compose/norm_windows");
	lt_ok(&t, NULL);
	s = lt_svc(&t, "app");
	cr_assert_str_eq(s->platform.os, "windows");
	cr_assert_str_eq(s->isolation, "hyperv");
	cr_assert_eq(s->n_volumes, 4);
	cr_assert_eq(s->volumes[0].type, COMPOSE_MOUNT_BIND);
	cr_assert_str_eq(s->volumes[1].source, "D:\\logs");
	cr_assert(s->volumes[1].read_only);
	cr_assert_eq(s->volumes[2].type, COMPOSE_MOUNT_NPIPE);
	cr_assert_eq(s->volumes[3].type, COMPOSE_MOUNT_NPIPE);
	cr_assert_str_eq(s->volumes[3].source, "\\\\.\\pipe\\other");
	cr_assert_str_eq(s->working_dir, "C:\\app");
}

Test(compose_normalize, develop_watch_triggers)
{
	const struct compose_service *s =
		svc("    develop:\n"
		    "      watch:\n"
		    "        - path: ./src\n"
		    "          action: sync\n"
		    "          target: /app\n"
		    "          ignore: [\"*.tmp\", cache/]\n"
		    "        - path: /abs/Dockerfile\n"
		    "          action: rebuild\n"
		    "        - path: conf\n"
		    "          action: sync+exec\n"
		    "          target: /etc/x\n"
		    "          initial_sync: true\n"
		    "          exec:\n"
		    "            command: kill -HUP 1\n"
		    "            user: root\n"
		    "            environment: [A=1]\n");

	cr_assert(s->develop);
	cr_assert_eq(s->n_watch, 3);
	cr_assert(s->watch[0].path[0] == '/', "%s", s->watch[0].path);
	cr_assert(strstr(s->watch[0].path, "/src") &&
		  !strstr(s->watch[0].path, "./"));
	cr_assert_eq(s->watch[0].act, COMPOSE_WATCH_SYNC);
	cr_assert_str_eq(s->watch[0].target, "/app");
	cr_assert_eq(s->watch[0].ignore.n, 2);
	cr_assert_str_eq(s->watch[0].ignore.v[1], "cache/");
	cr_assert_str_eq(s->watch[1].path, "/abs/Dockerfile");
	cr_assert_eq(s->watch[1].act, COMPOSE_WATCH_REBUILD);
	cr_assert_eq(s->watch[2].act, COMPOSE_WATCH_SYNC_EXEC);
	cr_assert(s->watch[2].initial_sync);
	cr_assert_eq(s->watch[2].exec.command.n, 3);
	cr_assert_str_eq(s->watch[2].exec.command.v[1], "-HUP");
	cr_assert_str_eq(s->watch[2].exec.user, "root");
	cr_assert_eq(s->watch[2].exec.n_environment, 1);
}
