/* compose_project_to_node() / compose_project_emit(): the `config` output. */
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

TestSuite(compose_config_output, .init = setup, .fini = teardown);

static const struct compose_node *out_svc(const struct compose_node *root,
					  const char *name)
{
	const struct compose_node *s =
		compose_map_get(compose_map_get(root, "services"), name);

	cr_assert_not_null(s, "no service %s in output", name);
	return s;
}

static const char *text(const struct compose_node *n)
{
	cr_assert_not_null(n);
	cr_assert_eq(n->kind, COMPOSE_NODE_SCALAR);
	return n->str;
}

static bool is_plain(const struct compose_node *n)
{
	return n && n->kind == COMPOSE_NODE_SCALAR &&
	       n->style == COMPOSE_SCALAR_PLAIN;
}

static const struct compose_node *one(const char *attrs)
{
	char buf[2048];

	snprintf(buf, sizeof(buf),
		 "name: proj\nservices:\n  s:\n    image: x\n%s"
		 "  db:\n    image: pg\nvolumes:\n  v: {}\n",
		 attrs);
	lt_ok(&t, buf);
	return out_svc(compose_project_to_node(t.p), "s");
}

Test(compose_config_output, top_level_shape)
{
	const struct compose_node *root;

	lt_ok(&t,
	      "name: proj\nservices:\n  b:\n    image: x\n  a:\n    image: y\n"
	      "x-top: {k: v}\n");
	root = compose_project_to_node(t.p);
	cr_assert_str_eq(root->pairs[0].key->str, "name");
	cr_assert_str_eq(text(root->pairs[0].value), "proj");
	cr_assert_str_eq(root->pairs[1].key->str, "services");
	cr_assert_str_eq(root->pairs[1].value->pairs[0].key->str, "a");
	cr_assert_str_eq(root->pairs[2].key->str, "networks");
	cr_assert_str_eq(root->pairs[3].key->str, "x-top");
	cr_assert_str_eq(
		text(compose_map_get(
			compose_map_get(compose_map_get(root, "networks"),
					"default"),
			"name")),
		"proj_default");
}

Test(compose_config_output, ports_are_objects_with_string_published)
{
	const struct compose_node *s =
		one("    ports: [\"127.0.0.1:8080:80/udp\", \"90\"]\n");
	const struct compose_node *p = compose_map_get(s, "ports")->items[0];

	cr_assert_str_eq(p->pairs[0].key->str, "mode");
	cr_assert_str_eq(text(compose_map_get(p, "mode")), "ingress");
	cr_assert_str_eq(text(compose_map_get(p, "host_ip")), "127.0.0.1");
	cr_assert(is_plain(compose_map_get(p, "target")));
	cr_assert_str_eq(text(compose_map_get(p, "target")), "80");
	cr_assert_not(is_plain(compose_map_get(p, "published")));
	cr_assert_str_eq(text(compose_map_get(p, "published")), "8080");
	cr_assert_str_eq(text(compose_map_get(p, "protocol")), "udp");
	p = compose_map_get(s, "ports")->items[1];
	cr_assert_null(compose_map_get(p, "published"));
	cr_assert_null(compose_map_get(p, "host_ip"));
}

Test(compose_config_output, environment_is_a_sorted_map_with_null)
{
	const struct compose_node *s = one("    environment: [Z=1, A, M=]\n");
	const struct compose_node *e = compose_map_get(s, "environment");

	cr_assert_eq(e->n, 3);
	cr_assert_str_eq(e->pairs[0].key->str, "A");
	cr_assert(is_plain(e->pairs[0].value));
	cr_assert_str_eq(e->pairs[0].value->str, "null");
	cr_assert_str_eq(text(e->pairs[1].value), "");
	cr_assert_str_eq(text(e->pairs[2].value), "1");
}

Test(compose_config_output, depends_on_is_a_map)
{
	const struct compose_node *s = one("    depends_on: [db]\n");
	const struct compose_node *d =
		compose_map_get(compose_map_get(s, "depends_on"), "db");

	cr_assert_str_eq(text(compose_map_get(d, "condition")),
			 "service_started");
	cr_assert_str_eq(text(compose_map_get(d, "required")), "true");
	cr_assert(is_plain(compose_map_get(d, "required")));
	cr_assert_null(compose_map_get(d, "restart"));
}

Test(compose_config_output, depends_on_restart_shown_when_true)
{
	const struct compose_node *s = one("    depends_on:\n      db:\n       "
					   " condition: service_healthy\n"
					   "        restart: true\n");
	const struct compose_node *d =
		compose_map_get(compose_map_get(s, "depends_on"), "db");

	cr_assert_str_eq(text(compose_map_get(d, "restart")), "true");
}

Test(compose_config_output, command_list_and_null_entrypoint)
{
	const struct compose_node *s = one("    command: echo \"a b\"\n");
	const struct compose_node *c = compose_map_get(s, "command");

	cr_assert_eq(c->kind, COMPOSE_NODE_SEQ);
	cr_assert_eq(c->n, 2);
	cr_assert_str_eq(text(c->items[1]), "a b");
	cr_assert(is_plain(compose_map_get(s, "entrypoint")));
	cr_assert_str_eq(compose_map_get(s, "entrypoint")->str, "null");
}

Test(compose_config_output, yaml_shape_leaves_null_command_out)
{
	struct compose_node *root;

	lt_ok(&t, "services:\n  s:\n    image: x\n");
	root = compose_project_to_node_fmt(t.p, false);
	cr_assert_null(compose_map_get(out_svc(root, "s"), "command"));
	cr_assert_null(compose_map_get(
		compose_map_get(compose_map_get(root, "networks"), "default"),
		"ipam"));
}

Test(compose_config_output, healthcheck_durations_as_go_strings)
{
	const struct compose_node *s =
		one("    healthcheck:\n      test: true\n      interval: 90s\n"
		    "      timeout: 1500ms\n      start_period: 2h\n"
		    "      start_interval: 250us\n      retries: 2\n");
	const struct compose_node *h = compose_map_get(s, "healthcheck");

	cr_assert_str_eq(text(compose_map_get(h, "interval")), "1m30s");
	cr_assert_str_eq(text(compose_map_get(h, "timeout")), "1.5s");
	cr_assert_str_eq(text(compose_map_get(h, "start_period")), "2h0m0s");
	cr_assert_str_eq(text(compose_map_get(h, "start_interval")), "250µs");
	cr_assert_str_eq(text(compose_map_get(h, "retries")), "2");
	cr_assert_str_eq(text(compose_map_get(h, "test")->items[0]),
			 "CMD-SHELL");
}

Test(compose_config_output, sub_second_durations)
{
	const struct compose_node *s = one("    stop_grace_period: 1500us\n");

	cr_assert_str_eq(text(compose_map_get(s, "stop_grace_period")),
			 "1.5ms");
}

Test(compose_config_output, volumes_long_form)
{
	const struct compose_node *s =
		one("    volumes: [\"./d:/d:ro\", \"v:/v\", \"/anon\"]\n");
	const struct compose_node *v = compose_map_get(s, "volumes");
	const struct compose_node *b = v->items[0];

	cr_assert_str_eq(text(compose_map_get(b, "type")), "bind");
	cr_assert_eq(text(compose_map_get(b, "source"))[0], '/');
	cr_assert_str_eq(text(compose_map_get(b, "read_only")), "true");
	cr_assert_str_eq(text(compose_map_get(compose_map_get(b, "bind"),
					      "create_host_path")),
			 "true");
	cr_assert_str_eq(text(compose_map_get(v->items[1], "type")), "volume");
	cr_assert_eq(compose_map_get(v->items[1], "volume")->kind,
		     COMPOSE_NODE_MAP);
	cr_assert_null(compose_map_get(v->items[2], "source"));
}

Test(compose_config_output, npipe_volume_type)
{
	const struct compose_node *s = one(
		"    volumes: "
		"['\\\\.\\pipe\\docker_engine:\\\\.\\pipe\\docker_engine']\n");
	const struct compose_node *v = compose_map_get(s, "volumes")->items[0];

	cr_assert_str_eq(text(compose_map_get(v, "type")), "npipe");
	cr_assert_null(compose_map_get(v, "bind"));
}

Test(compose_config_output, service_networks_null_or_options)
{
	const struct compose_node *n;

	lt_ok(&t,
	      "services:\n  s:\n    image: x\n    networks:\n      b:\n"
	      "      a:\n        aliases: [x]\nnetworks:\n  a: {}\n  b: {}\n");
	n = compose_map_get(out_svc(compose_project_to_node(t.p), "s"),
			    "networks");
	cr_assert_str_eq(n->pairs[0].key->str, "a");
	cr_assert_eq(compose_map_get(n, "a")->kind, COMPOSE_NODE_MAP);
	cr_assert(is_plain(compose_map_get(n, "b")));
	cr_assert_str_eq(compose_map_get(n, "b")->str, "null");
}

Test(compose_config_output, service_keys_in_compose_order)
{
	const struct compose_node *s =
		one("    x-extra: 1\n    restart: always\n    labels: [a=b]\n"
		    "    command: [run]\n    hostname: h\n"
		    "    healthcheck:\n      test: [CMD, x]\n    deploy:\n"
		    "      replicas: 2\n");
	const char *want[] = {"command",     "deploy", "entrypoint", "hostname",
			      "healthcheck", "image",  "labels",     "networks",
			      "restart",     "x-extra"};

	cr_assert_eq(s->n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < s->n; i++)
		cr_assert_str_eq(s->pairs[i].key->str, want[i]);
}

Test(compose_config_output, extensions_and_unknown_keys_verbatim)
{
	const struct compose_node *s =
		one("    x-mixcompose:\n      daemon: win\n"
		    "    ulimits:\n      nofile: 1024\n");

	cr_assert_str_eq(text(compose_map_get(
				 compose_map_get(s, "x-mixcompose"), "daemon")),
			 "win");
	cr_assert_str_eq(
		text(compose_map_get(compose_map_get(s, "ulimits"), "nofile")),
		"1024");
}

Test(compose_config_output, extra_hosts_and_mem_limit)
{
	const struct compose_node *s =
		one("    extra_hosts: [\"b:10.0.0.2\", \"a=10.0.0.1\"]\n"
		    "    mem_limit: 1g\n");

	cr_assert_str_eq(text(compose_map_get(s, "extra_hosts")->items[0]),
			 "a=10.0.0.1");
	cr_assert_str_eq(text(compose_map_get(s, "mem_limit")), "1073741824");
}

Test(compose_config_output, build_context_absolute)
{
	const struct compose_node *s = one("    build: .\n");
	const struct compose_node *b = compose_map_get(s, "build");

	cr_assert_str_eq(text(compose_map_get(b, "context")), t.dir);
	cr_assert_str_eq(text(compose_map_get(b, "dockerfile")), "Dockerfile");
}

Test(compose_config_output, top_level_network_and_volume)
{
	struct compose_node *root;
	const struct compose_node *n, *v;

	lt_ok(&t, "name: p\nservices:\n  s:\n    image: x\n    networks: [n]\n"
		  "    volumes: [{type: volume, source: v, target: /v}]\n"
		  "networks:\n  n:\n    driver: bridge\n    internal: true\n"
		  "    ipam:\n      config:\n        - subnet: 10.0.0.0/24\n"
		  "volumes:\n  v:\n    external: true\n");
	root = compose_project_to_node(t.p);
	n = compose_map_get(compose_map_get(root, "networks"), "n");
	cr_assert_str_eq(text(compose_map_get(n, "name")), "p_n");
	cr_assert_str_eq(
		text(compose_map_get(
			compose_map_get(compose_map_get(n, "ipam"), "config")
				->items[0],
			"subnet")),
		"10.0.0.0/24");
	cr_assert_str_eq(text(compose_map_get(n, "internal")), "true");
	v = compose_map_get(compose_map_get(root, "volumes"), "v");
	cr_assert_str_eq(text(compose_map_get(v, "name")), "v");
	cr_assert_str_eq(text(compose_map_get(v, "external")), "true");
	/* Only what a service uses, as compose-go: no "default" here. */
	cr_assert_null(
		compose_map_get(compose_map_get(root, "networks"), "default"));
}

Test(compose_config_output, unused_resources_left_out)
{
	struct compose_node *root;

	lt_write(&t, "pw.txt", "pw\n");
	lt_ok(&t, "name: p\nservices:\n  s:\n    image: x\n"
		  "    network_mode: host\n"
		  "  off:\n    image: x\n    profiles: [off]\n"
		  "    secrets: [pw]\n    networks: [n]\n"
		  "    volumes: [{type: volume, source: v, target: /v}]\n"
		  "networks:\n  n: {}\nvolumes:\n  v: {}\n"
		  "secrets:\n  pw: {file: ./pw.txt}\n");
	root = compose_project_to_node(t.p);
	cr_assert_null(compose_map_get(root, "networks"));
	cr_assert_null(compose_map_get(root, "volumes"));
	cr_assert_null(compose_map_get(root, "secrets"));
}

Test(compose_config_output, streamed_json_equals_tree_json)
{
	struct sbuf a = SBUF_INIT;
	char *b;

	lt_ok(&t,
	      "name: p\nservices:\n  b:\n    image: x\n    ports: [80]\n"
	      "    command: \"echo 'hi there'\"\n  a:\n    image: \"y\\nz\"\n"
	      "volumes:\n  v: {}\nx-k: [1, 2]\n");
	compose_node_emit_json(&a, compose_project_to_node(t.p));
	b = lt_json(&t);
	cr_assert_str_eq(a.buf, b);
	sbuf_release(&a);
	free(b);
}

Test(compose_config_output, streamed_yaml_equals_tree_yaml)
{
	struct sbuf a = SBUF_INIT, b = SBUF_INIT;

	lt_ok(&t, "name: p\nservices:\n  b:\n    image: x\n    labels:\n"
		  "      multi: |\n        line one\n\n        line three\n"
		  "  a:\n    image: y\n");
	compose_node_emit_yaml(&a, compose_project_to_node_fmt(t.p, false));
	compose_project_emit(&b, t.p, false);
	cr_assert_str_eq(a.buf, b.buf);
	sbuf_release(&a);
	sbuf_release(&b);
}

Test(compose_config_output, streamed_output_with_many_services)
{
	struct sbuf in = SBUF_INIT, a = SBUF_INIT;
	char *b;

	sbuf_adds(&in, "services:\n");
	for (int i = 0; i < 600; i++)
		sbuf_addf(&in,
			  "  s%03d:\n    image: x\n    environment: [I=%d]\n",
			  i, i);
	lt_ok(&t, in.buf);
	compose_node_emit_json(&a, compose_project_to_node(t.p));
	b = lt_json(&t);
	cr_assert_str_eq(a.buf, b);
	sbuf_release(&in);
	sbuf_release(&a);
	free(b);
}

Test(compose_config_output, empty_services)
{
	char *b;

	lt_ok(&t, "name: p\nservices: {}\n");
	b = lt_json(&t);
	cr_assert_str_eq(b, "{\n  \"name\": \"p\",\n  \"services\": {}\n}\n");
	free(b);
}

/* compose-go adds what links, network_mode and volumes_from imply. */
Test(compose_config_output, implicit_depends_on_from_links_and_namespaces)
{
	const struct compose_node *root, *d;

	lt_ok(&t, "name: p\nservices:\n"
		  "  web:\n    image: x\n    links: [db, 'cache:c']\n"
		  "    volumes_from: [store, 'container:foo']\n"
		  "    depends_on:\n      db: {condition: service_healthy}\n"
		  "  db:\n    image: x\n    network_mode: 'service:store'\n"
		  "  cache:\n    image: x\n    volumes_from: ['store:ro']\n"
		  "  store:\n    image: x\n");
	root = compose_project_to_node(t.p);
	d = compose_map_get(out_svc(root, "web"), "depends_on");
	cr_assert_eq(d->n, 3);
	/* The explicit entry wins as written. */
	cr_assert_str_eq(
		text(compose_map_get(compose_map_get(d, "db"), "condition")),
		"service_healthy");
	cr_assert_null(compose_map_get(compose_map_get(d, "db"), "restart"));
	cr_assert_str_eq(
		text(compose_map_get(compose_map_get(d, "cache"), "restart")),
		"true");
	cr_assert_null(compose_map_get(compose_map_get(d, "store"), "restart"));
	cr_assert_str_eq(
		text(compose_map_get(compose_map_get(d, "store"), "required")),
		"true");
	d = compose_map_get(out_svc(root, "db"), "depends_on");
	cr_assert_str_eq(
		text(compose_map_get(compose_map_get(d, "store"), "restart")),
		"true");
	d = compose_map_get(out_svc(root, "cache"), "depends_on");
	cr_assert_str_eq(d->pairs[0].key->str, "store");
	cr_assert_null(compose_map_get(out_svc(root, "store"), "depends_on"));
}

Test(compose_config_output, deploy_resources_in_bytes_and_numbers)
{
	const struct compose_node *s =
		one("    deploy:\n      labels: [b=2, a=1]\n      resources:\n"
		    "        limits: {memory: 50M, cpus: '0.5', pids: 7}\n"
		    "        reservations: {memory: 20M, cpus: '0.25'}\n");
	const struct compose_node *dep = compose_map_get(s, "deploy");
	const struct compose_node *l =
		compose_map_get(compose_map_get(dep, "resources"), "limits");
	const struct compose_node *r = compose_map_get(
		compose_map_get(dep, "resources"), "reservations");

	cr_assert_str_eq(text(compose_map_get(l, "memory")), "52428800");
	cr_assert(!is_plain(compose_map_get(l, "memory")));
	cr_assert_str_eq(text(compose_map_get(l, "cpus")), "0.5");
	cr_assert(is_plain(compose_map_get(l, "cpus")));
	cr_assert_str_eq(text(compose_map_get(l, "pids")), "7");
	cr_assert_str_eq(l->pairs[0].key->str, "cpus");
	cr_assert_str_eq(text(compose_map_get(r, "memory")), "20971520");
	cr_assert_str_eq(text(compose_map_get(r, "cpus")), "0.25");
	cr_assert(is_plain(compose_map_get(r, "cpus")));
	cr_assert_str_eq(
		text(compose_map_get(compose_map_get(dep, "labels"), "a")),
		"1");
	/* JSON always has resources and placement (Go structs). */
	cr_assert_not_null(compose_map_get(dep, "placement"));
}

Test(compose_config_output, repeated_list_items_made_unique_as_compose_go)
{
	const struct compose_node *s = one(
		"    ports: ['80:80', '80:80', '8080:80/tcp', '8080:80']\n"
		"    volumes: ['./d/../d/:/data/', './d:/data', '/h:/x/./y/']\n"
		"    dns: [1.1.1.1, 1.1.1.1]\n    cap_add: [A, A]\n");
	const struct compose_node *v = compose_map_get(s, "volumes");

	cr_assert_eq(compose_map_get(s, "ports")->n, 2);
	cr_assert_eq(compose_map_get(s, "dns")->n, 1);
	cr_assert_eq(compose_map_get(s, "cap_add")->n, 1);
	cr_assert_eq(v->n, 2);
	cr_assert_str_eq(text(compose_map_get(v->items[0], "target")), "/data");
	cr_assert_str_eq(text(compose_map_get(v->items[1], "target")), "/x/y");
}

Test(compose_config_output, a_secret_gets_its_default_target)
{
	const struct compose_node *root, *sec, *cfg;

	lt_write(&t, "pw.txt", "pw\n");
	lt_ok(&t, "name: p\nservices:\n  s:\n    image: x\n"
		  "    secrets: [pw, {source: pw, target: rel}]\n"
		  "    configs: [pw]\n"
		  "secrets:\n  pw: {file: ./pw.txt}\n"
		  "configs:\n  pw: {file: ./pw.txt}\n");
	root = compose_project_to_node(t.p);
	sec = compose_map_get(out_svc(root, "s"), "secrets");
	cfg = compose_map_get(out_svc(root, "s"), "configs");
	cr_assert_str_eq(text(compose_map_get(sec->items[0], "target")),
			 "/run/secrets/pw");
	cr_assert_str_eq(text(compose_map_get(sec->items[1], "target")), "rel");
	cr_assert_null(compose_map_get(cfg->items[0], "target"));
}

Test(compose_config_output, distinct_limit_and_deploy_limit_refused)
{
	lt_write(&t, "compose.yaml",
		 "services:\n  s:\n    image: x\n    cpus: 1.5\n"
		 "    deploy:\n      resources:\n        limits: {pids: 3}\n");
	lt_load(&t);
	cr_assert_eq(t.rc, 0);
	lt_expect(&t,
		  "can't set distinct values on 'cpus' and "
		  "'deploy.resources.limits.cpus'",
		  4, 11);
}

Test(compose_config_output, a_service_without_image_or_build_refused)
{
	lt_write(&t, "compose.yaml", "services:\n  web:\n    ports: ['80']\n");
	lt_load(&t);
	cr_assert_eq(t.rc, 0);
	lt_expect(&t, "services.web: has neither an image nor a build", 2, 3);
}

Test(compose_config_output, build_arg_without_value_left_out)
{
	const struct compose_node *s =
		one("    build: {context: ., args: [A=1, BARE_UNSET_X]}\n");
	const struct compose_node *args =
		compose_map_get(compose_map_get(s, "build"), "args");

	cr_assert_eq(args->n, 1);
	cr_assert_str_eq(args->pairs[0].key->str, "A");
}

Test(compose_config_output, gpus_and_device_requests_as_compose_go)
{
	const struct compose_node *s =
		one("    gpus: all\n    deploy:\n      resources:\n"
		    "        reservations:\n          devices:\n"
		    "            - {driver: nvidia, count: 2, capabilities: "
		    "[gpu]}\n"
		    "            - {device_ids: ['3']}\n");
	const struct compose_node *g = compose_map_get(s, "gpus");
	const struct compose_node *d = compose_map_get(
		compose_map_get(compose_map_get(compose_map_get(s, "deploy"),
						"resources"),
				"reservations"),
		"devices");

	cr_assert_eq(g->n, 1);
	cr_assert_str_eq(text(compose_map_get(g->items[0], "count")), "-1");
	cr_assert_str_eq(text(compose_map_get(d->items[0], "count")), "2");
	cr_assert_str_eq(text(compose_map_get(d->items[0], "driver")),
			 "nvidia");
	cr_assert_null(compose_map_get(d->items[1], "count"));
	cr_assert_str_eq(
		text(compose_map_get(d->items[1], "device_ids")->items[0]),
		"3");
}

Test(compose_config_output, device_request_count_and_ids_refused)
{
	lt_write(&t, "compose.yaml",
		 "services:\n  s:\n    image: x\n"
		 "    gpus: [{count: 1, device_ids: ['0']}]\n");
	lt_load(&t);
	cr_assert_eq(t.rc, 0);
	lt_expect(&t, "services.s.gpus: '...' is not 'all' or a list", 4, 11);
}

/* The whole YAML of a fixture equals compose v2 2.26's, byte for byte. */
static void yaml_as_v2(const char *dir)
{
	char path[512];
	struct sbuf got = SBUF_INIT;
	FILE *f;
	char *want;
	long n;

	snprintf(path, sizeof(path), "%s/%s/compose.yaml", TEST_FIXTURES_DIR,
		 dir);
	lt_file(&t, path);
	lt_ok(&t, NULL);
	compose_project_emit(&got, t.p, false);
	snprintf(path, sizeof(path), "%s/%s/expected.yaml", TEST_FIXTURES_DIR,
		 dir);
	f = fopen(path, "rb");
	cr_assert_not_null(f, "%s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	want = calloc(1, (size_t)n + 1);
	cr_assert_eq(fread(want, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	cr_expect_str_eq(got.buf, want, "config:\n%s\ncompose v2:\n%s", got.buf,
			 want);
	free(want);
	sbuf_release(&got);
}

Test(compose_config_output, multi_line_strings_as_v2_literal_blocks)
{
	yaml_as_v2("compose/multiline");
}

Test(compose_config_output, keys_blkio_and_links_as_v2_prints_them)
{
	yaml_as_v2("compose/keys");
}

/* A leading break: quoted (go-yaml's literal block would drop it). */
Test(compose_config_output, a_leading_break_stays_quoted)
{
	struct sbuf got = SBUF_INIT;

	lt_ok(&t,
	      "services:\n  s:\n    image: x\n"
	      "    command: [\"\\nfirst\", \"cr\\r\\nx\", \"tab\\tok\\ny\"]\n");
	compose_project_emit(&got, t.p, false);
	cr_assert(strstr(got.buf, "      - \"\\nfirst\"\n"), "%s", got.buf);
	cr_assert(strstr(got.buf, "      - \"cr\\r\\nx\"\n"), "%s", got.buf);
	cr_assert(strstr(got.buf, "      - |-\n        tab\tok\n        y\n"),
		  "%s", got.buf);
	sbuf_release(&got);
}

Test(compose_config_output, attach_is_a_boolean_from_the_model)
{
	const struct compose_node *s = one("    attach: \"false\"\n");

	cr_assert_str_eq(text(compose_map_get(s, "attach")), "false");
	cr_assert(is_plain(compose_map_get(s, "attach")));
	cr_assert_eq(t.p->services[0].attach == 0 ||
			     t.p->services[1].attach == 0,
		     1);
}
