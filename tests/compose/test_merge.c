/* Merging files with compose v2's rules (compose/merge.c). */
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

TestSuite(compose_merge, .init = setup, .fini = teardown);

/* Loads base.yaml then over.yaml. */
static void merge2(const char *base, const char *over)
{
	lt_write(&t, "base.yaml", base);
	lt_write(&t, "over.yaml", over);
	lt_file(&t, "base.yaml");
	lt_file(&t, "over.yaml");
	lt_ok(&t, NULL);
}

static const struct compose_node *svc_node(const char *name)
{
	const struct compose_node *s =
		compose_map_get(compose_map_get(t.p->doc, "services"), name);

	cr_assert_not_null(s);
	return s;
}

static const char *kv(const struct compose_kv *v, size_t n, const char *k)
{
	const struct compose_kv *x = lt_kv(v, n, k);

	cr_assert_not_null(x, "no key %s", k);
	return x->value;
}

Test(compose_merge, fixture_merges_every_kind)
{
	const struct compose_service *s;

	t.o.cwd = FIXTURE("compose/merge_basic");
	lt_ok(&t, NULL);
	s = lt_svc(&t, "web");
	cr_assert_str_eq(s->image, "nginx:1.25");
	cr_assert_eq(s->command.n, 2);
	cr_assert_str_eq(s->command.v[1], "override");
	cr_assert_eq(s->n_environment, 3);
	cr_assert_str_eq(kv(s->environment, s->n_environment, "B"), "20");
	cr_assert_eq(s->n_ports, 2);
	cr_assert_eq(s->n_volumes, 2);
	cr_assert(strstr(s->volumes[0].source, "/merge_basic/b"));
	cr_assert_eq(s->n_labels, 2);
	cr_assert_str_eq(s->healthcheck.test.v[1], "false");
	cr_assert_eq(s->healthcheck.interval_ns, 10000000000LL);
}

Test(compose_merge, maps_merge_and_scalars_replace)
{
	merge2("services:\n  a:\n    image: x\n    user: root\n",
	       "services:\n  a:\n    image: y\n    working_dir: /w\n");
	cr_assert_str_eq(lt_svc(&t, "a")->image, "y");
	cr_assert_str_eq(lt_svc(&t, "a")->user, "root");
	cr_assert_str_eq(lt_svc(&t, "a")->working_dir, "/w");
}

Test(compose_merge, new_services_are_added_in_order)
{
	merge2("services:\n  b:\n    image: x\n",
	       "services:\n  a:\n    image: y\n");
	cr_assert_eq(t.p->n_services, 2);
	cr_assert_str_eq(t.p->services[0].name, "a");
}

Test(compose_merge, command_replaces)
{
	merge2("services:\n  a:\n    image: x\n    command: [a, b, c]\n",
	       "services:\n  a:\n    command: d e\n");
	cr_assert_eq(lt_svc(&t, "a")->command.n, 2);
	cr_assert_str_eq(lt_svc(&t, "a")->command.v[0], "d");
}

Test(compose_merge, entrypoint_replaces)
{
	merge2("services:\n  a:\n    image: x\n    entrypoint: [sh, -c]\n",
	       "services:\n  a:\n    entrypoint: [bash]\n");
	cr_assert_eq(lt_svc(&t, "a")->entrypoint.n, 1);
}

Test(compose_merge, healthcheck_test_replaces_rest_merges)
{
	merge2("services:\n  a:\n    image: x\n    healthcheck:\n"
	       "      test: [CMD, a, b]\n      retries: 5\n",
	       "services:\n  a:\n    healthcheck:\n      test: [CMD, c]\n"
	       "      timeout: 2s\n");
	cr_assert_eq(lt_svc(&t, "a")->healthcheck.test.n, 2);
	cr_assert_eq(lt_svc(&t, "a")->healthcheck.retries, 5);
	cr_assert_eq(lt_svc(&t, "a")->healthcheck.timeout_ns, 2000000000LL);
}

Test(compose_merge, ports_merge_by_unique_key)
{
	merge2("services:\n  a:\n    image: x\n    ports: [\"8080:80\", "
	       "\"53:53/udp\"]\n",
	       "services:\n  a:\n    ports:\n      - \"8080:80\"\n      - "
	       "\"53:53\"\n"
	       "      - target: 53\n        published: \"53\"\n        "
	       "protocol: udp\n");
	/* 8080:80 once, 53/udp once (long form replaces short), 53/tcp new. */
	cr_assert_eq(lt_svc(&t, "a")->n_ports, 3);
	cr_assert_eq(svc_node("a") != NULL, 1);
}

Test(compose_merge, ports_with_other_host_ip_are_distinct)
{
	merge2("services:\n  a:\n    image: x\n    ports: [\"8080:80\"]\n",
	       "services:\n  a:\n    ports: [\"127.0.0.1:8080:80\"]\n");
	cr_assert_eq(lt_svc(&t, "a")->n_ports, 2);
}

Test(compose_merge, volumes_merge_by_target)
{
	merge2("services:\n  a:\n    image: x\n    volumes: [\"./one:/data\", "
	       "\"/x\"]\n",
	       "services:\n  a:\n    volumes:\n      - type: bind\n"
	       "        source: ./two\n        target: /data\n");
	cr_assert_eq(lt_svc(&t, "a")->n_volumes, 2);
	cr_assert(strstr(lt_svc(&t, "a")->volumes[0].source, "/two"));
}

Test(compose_merge, windows_volume_targets_merge)
{
	merge2("services:\n  a:\n    image: x\n    volumes: "
	       "[\"C:\\\\a:C:\\\\data\"]\n",
	       "services:\n  a:\n    volumes: [\"D:\\\\b:C:\\\\data:ro\"]\n");
	cr_assert_eq(lt_svc(&t, "a")->n_volumes, 1);
	cr_assert_str_eq(lt_svc(&t, "a")->volumes[0].source, "D:\\b");
	cr_assert(lt_svc(&t, "a")->volumes[0].read_only);
}

Test(compose_merge, environment_list_and_map_merge_by_name)
{
	const struct compose_service *s;

	merge2("services:\n  a:\n    image: x\n    environment: [A=1, B=2]\n",
	       "services:\n  a:\n    environment:\n      B: three\n      C: "
	       "\"4\"\n");
	s = lt_svc(&t, "a");
	cr_assert_eq(s->n_environment, 3);
	cr_assert_str_eq(kv(s->environment, s->n_environment, "A"), "1");
	cr_assert_str_eq(kv(s->environment, s->n_environment, "B"), "three");
}

Test(compose_merge, environment_map_then_list)
{
	const struct compose_service *s;

	merge2("services:\n  a:\n    image: x\n    environment:\n      A: "
	       "one\n",
	       "services:\n  a:\n    environment: [A=two, D]\n");
	s = lt_svc(&t, "a");
	cr_assert_str_eq(kv(s->environment, s->n_environment, "A"), "two");
	cr_assert_null(kv(s->environment, s->n_environment, "D"));
}

Test(compose_merge, labels_merge_by_key)
{
	const struct compose_service *s;

	merge2("services:\n  a:\n    image: x\n    labels: [x=1, y=2]\n",
	       "services:\n  a:\n    labels:\n      y: \"3\"\n");
	s = lt_svc(&t, "a");
	cr_assert_eq(s->n_labels, 2);
	cr_assert_str_eq(kv(s->labels, s->n_labels, "y"), "3");
}

/* compose-go's mergeExtraHosts: the union of the "host=ip" strings. */
Test(compose_merge, extra_hosts_merge_as_a_union_of_entries)
{
	const struct compose_service *s;

	merge2("services:\n  a:\n    image: x\n    extra_hosts: "
	       "[\"db:10.0.0.1\", \"v6:::1\"]\n",
	       "services:\n  a:\n    extra_hosts: [\"db=10.0.0.2\", "
	       "\"v6:::1\"]\n");
	s = lt_svc(&t, "a");
	cr_assert_eq(s->n_extra_hosts, 3);
	cr_assert_str_eq(s->extra_hosts[0].value, "10.0.0.1");
	cr_assert_str_eq(s->extra_hosts[1].value, "::1");
	cr_assert_str_eq(s->extra_hosts[2].key, "db");
	cr_assert_str_eq(s->extra_hosts[2].value, "10.0.0.2");
}

Test(compose_merge, depends_on_list_and_map_merge)
{
	const struct compose_service *s;

	merge2("services:\n  a:\n    image: x\n    depends_on: [b, c]\n"
	       "  b:\n    image: x\n  c:\n    image: x\n",
	       "services:\n  a:\n    depends_on:\n      b:\n"
	       "        condition: service_healthy\n");
	s = lt_svc(&t, "a");
	cr_assert_eq(s->n_depends_on, 2);
	cr_assert_str_eq(s->depends_on[0].service, "b");
	cr_assert_str_eq(s->depends_on[0].condition, "service_healthy");
	cr_assert_str_eq(s->depends_on[1].condition, "service_started");
}

Test(compose_merge, depends_on_lists_union)
{
	merge2("services:\n  a:\n    image: x\n    depends_on: [b]\n"
	       "  b:\n    image: x\n  c:\n    image: x\n",
	       "services:\n  a:\n    depends_on: [b, c]\n");
	cr_assert_eq(lt_svc(&t, "a")->n_depends_on, 2);
}

Test(compose_merge, service_networks_merge_keep_options)
{
	const struct compose_service *s;

	merge2("services:\n  a:\n    image: x\n    networks:\n      front:\n"
	       "        aliases: [www]\nnetworks:\n  front: {}\n  back: {}\n",
	       "services:\n  a:\n    networks: [front, back]\n");
	s = lt_svc(&t, "a");
	cr_assert_eq(s->n_networks, 2);
	cr_assert_str_eq(s->networks[0].name, "front");
	cr_assert_eq(s->networks[0].aliases.n, 1);
}

Test(compose_merge, dns_appends_without_duplicates)
{
	merge2("services:\n  a:\n    image: x\n    dns: [1.1.1.1, 8.8.8.8]\n",
	       "services:\n  a:\n    dns: 8.8.8.8\n");
	cr_assert_eq(lt_svc(&t, "a")->dns.n, 2);
}

Test(compose_merge, cap_add_appends)
{
	merge2("services:\n  a:\n    image: x\n    cap_add: [NET_ADMIN]\n",
	       "services:\n  a:\n    cap_add: [SYS_TIME, NET_ADMIN]\n");
	cr_assert_eq(lt_svc(&t, "a")->cap_add.n, 2);
	cr_assert_str_eq(lt_svc(&t, "a")->cap_add.v[1], "SYS_TIME");
}

Test(compose_merge, env_file_merges_by_path)
{
	lt_write(&t, "a.env", "A=1\n");
	lt_write(&t, "b.env", "B=2\n");
	merge2("services:\n  a:\n    image: x\n    env_file: a.env\n",
	       "services:\n  a:\n    env_file:\n      - a.env\n      - path: "
	       "b.env\n");
	cr_assert_eq(compose_map_get(svc_node("a"), "env_file")->n, 2);
	cr_assert_eq(lt_svc(&t, "a")->n_environment, 2);
}

Test(compose_merge, secrets_merge_by_target)
{
	merge2("services:\n  a:\n    image: x\n    secrets: [s1]\n"
	       "secrets:\n  s1: {file: ./s1}\n  s2: {file: ./s2}\n",
	       "services:\n  a:\n    secrets:\n      - source: s1\n"
	       "        target: /run/secrets/s1\n      - s2\n");
	cr_assert_eq(compose_map_get(svc_node("a"), "secrets")->n, 2);
}

Test(compose_merge, reset_removes_a_sequence)
{
	merge2("services:\n  a:\n    image: x\n    ports: [\"80:80\"]\n",
	       "services:\n  a:\n    ports: !reset []\n");
	cr_assert_eq(lt_svc(&t, "a")->n_ports, 0);
	cr_assert_null(compose_map_get(svc_node("a"), "ports"));
}

Test(compose_merge, reset_removes_a_mapping_value)
{
	merge2("services:\n  a:\n    image: x\n    environment:\n      A: "
	       "\"1\"\n",
	       "services:\n  a:\n    environment: !reset {}\n");
	cr_assert_eq(lt_svc(&t, "a")->n_environment, 0);
}

Test(compose_merge, reset_null_removes_a_scalar)
{
	merge2("services:\n  a:\n    image: x\n    user: root\n",
	       "services:\n  a:\n    user: !reset null\n");
	cr_assert_null(lt_svc(&t, "a")->user);
}

Test(compose_merge, reset_of_unknown_key_is_harmless)
{
	merge2("services:\n  a:\n    image: x\n",
	       "services:\n  a:\n    dns: !reset []\n  b:\n    image: y\n"
	       "    ports: !reset []\n");
	cr_assert_eq(lt_svc(&t, "a")->dns.n, 0);
	cr_assert_null(compose_map_get(svc_node("b"), "ports"));
}

Test(compose_merge, override_replaces_a_sequence)
{
	merge2("services:\n  a:\n    image: x\n    ports: [\"80:80\", "
	       "\"81:81\"]\n",
	       "services:\n  a:\n    ports: !override [\"90:90\"]\n");
	cr_assert_eq(lt_svc(&t, "a")->n_ports, 1);
	cr_assert_eq(lt_svc(&t, "a")->ports[0].target, 90);
}

Test(compose_merge, override_replaces_a_mapping)
{
	merge2("services:\n  a:\n    image: x\n    environment: [A=1, B=2]\n",
	       "services:\n  a:\n    environment: !override\n      C: \"3\"\n");
	cr_assert_eq(lt_svc(&t, "a")->n_environment, 1);
	cr_assert_str_eq(lt_svc(&t, "a")->environment[0].key, "C");
}

Test(compose_merge, top_level_networks_merge)
{
	merge2("services:\n  a:\n    image: x\nnetworks:\n  n:\n    driver: "
	       "bridge\n"
	       "    ipam:\n      config:\n        - subnet: 10.1.0.0/24\n",
	       "networks:\n  n:\n    internal: true\n    ipam:\n      config:\n"
	       "        - subnet: 10.1.0.0/24\n          gateway: 10.1.0.1\n"
	       "        - subnet: 10.2.0.0/24\n");
	const struct compose_network *n = compose_network_find(t.p, "n");

	cr_assert_str_eq(n->driver, "bridge");
	cr_assert(n->internal);
	cr_assert_eq(n->n_ipam, 2);
	cr_assert_str_eq(n->ipam[0].gateway, "10.1.0.1");
}

Test(compose_merge, build_string_merges_with_mapping)
{
	merge2("services:\n  a:\n    build: ./ctx\n",
	       "services:\n  a:\n    build:\n      dockerfile: Other\n");
	cr_assert(strstr(lt_svc(&t, "a")->build->context, "/ctx"));
	cr_assert_str_eq(lt_svc(&t, "a")->build->dockerfile, "Other");
}

Test(compose_merge, build_args_merge_by_name)
{
	const struct compose_build *b;

	merge2("services:\n  a:\n    build:\n      context: .\n      args: "
	       "[X=1, Y=2]\n",
	       "services:\n  a:\n    build:\n      args:\n        Y: \"3\"\n");
	b = lt_svc(&t, "a")->build;
	cr_assert_eq(b->n_args, 2);
	cr_assert_str_eq(kv(b->args, b->n_args, "Y"), "3");
}

Test(compose_merge, empty_override_section_keeps_base)
{
	merge2("services:\n  a:\n    image: x\n", "services:\n");
	cr_assert_eq(t.p->n_services, 1);
}

Test(compose_merge, base_documents_are_not_modified)
{
	/* The same alias used twice must not see the other's merge. */
	merge2("x-env: &env\n  A: \"1\"\nservices:\n  a:\n    image: x\n"
	       "    environment: *env\n  b:\n    image: x\n    environment: "
	       "*env\n",
	       "services:\n  a:\n    environment:\n      Z: \"9\"\n");
	cr_assert_eq(lt_svc(&t, "a")->n_environment, 2);
	cr_assert_eq(lt_svc(&t, "b")->n_environment, 1);
}
