/*
 * translate/: the samples against golden files (Swarm and Kubernetes), and
 * the rules one by one: OS placement, what is noted as not carried over,
 * bad options.  MIXCOMPOSE_UPDATE_GOLDEN=1 rewrites the golden files.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "translate/translate.h"
#include "util/arena.h"
#include "util/sbuf.h"

#define FIXTURE(p) (TEST_FIXTURES_DIR "/" p)

static struct compose_project *load(const char *file)
{
	static char *env[] = {"PATH=/usr/bin:/bin", "SHOP_TOKEN=s3cret", NULL};
	const char *files[] = {file};
	struct compose_options o = {0};
	struct compose_project *p = NULL;
	struct diag err = {0};
	struct diag_list dl = DIAG_LIST_INIT;
	int rc;

	o.files = files;
	o.n_files = 1;
	o.environ_ = env;
	o.cwd = "/";
	cr_assert_eq(compose_project_load(&p, &o, &err), 0, "%s", err.msg);
	rc = compose_project_normalize(p, &dl);
	diag_list_release(&dl);
	cr_assert_eq(rc, 0);
	return p;
}

static const char *
read_file(void *ud, struct arena *a, const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	char *buf = NULL;

	(void)ud;
	if (!f)
		return NULL;
	if (!fstat(fileno(f), &st) && S_ISREG(st.st_mode)) {
		buf = arena_alloc(a, (size_t)st.st_size + 1);
		*len = fread(buf, 1, (size_t)st.st_size, f);
		buf[*len] = '\0';
	}
	fclose(f);
	return buf;
}

/* Replaces every 'from' in 'in' by 'to'. */
static void
replace_all(struct sbuf *out, const char *in, const char *from, const char *to)
{
	const char *hit;
	size_t n = strlen(from);

	while ((hit = strstr(in, from))) {
		sbuf_add(out, in, (size_t)(hit - in));
		sbuf_adds(out, to);
		in = hit + n;
	}
	sbuf_adds(out, in);
}

/* The documents, then "# " and each note, with the project dir as @DIR@. */
static void run_translate(struct sbuf *out,
			  const char *file,
			  const struct translate_options *o)
{
	struct compose_project *p = load(file);
	struct arena *a = arena_new();
	struct translate_docs docs;
	struct diag_list notes = DIAG_LIST_INIT;
	struct diag err = {0};
	struct sbuf raw = SBUF_INIT;
	int rc = translate_project(&docs, a, p, o, &notes, &err);

	cr_assert_eq(rc, 0, "%s", err.msg);
	translate_emit(&raw, &docs);
	for (size_t i = 0; i < notes.nr; i++) {
		sbuf_adds(&raw, "# ");
		diag_format(&raw, &notes.items[i].d);
		sbuf_addch(&raw, '\n');
	}
	replace_all(out, raw.buf, p->working_dir, "@DIR@");
	sbuf_release(&raw);
	diag_list_release(&notes);
	arena_free(a);
	compose_project_free(p);
}

static void check_golden(const char *compose,
			 const char *golden,
			 const struct translate_options *o)
{
	struct sbuf got = SBUF_INIT;
	FILE *f;
	char *want = NULL;
	size_t cap = 0;
	ssize_t n;

	run_translate(&got, compose, o);
	if (getenv("MIXCOMPOSE_UPDATE_GOLDEN")) {
		f = fopen(golden, "w");
		cr_assert_not_null(f);
		fputs(got.buf, f);
		fclose(f);
	}
	f = fopen(golden, "r");
	cr_assert_not_null(f, "no golden file %s", golden);
	n = getdelim(&want, &cap, '\0', f);
	fclose(f);
	cr_assert_gt(n, 0);
	cr_assert_str_eq(got.buf, want, "%s differs from the output", golden);
	free(want);
	sbuf_release(&got);
}

#define SAMPLE(s) SOURCE_DIR "/samples/" s "/compose.yaml"
#define GOLDEN(g) FIXTURE("translate/golden/" g)

Test(translate_golden, samples_to_kubernetes)
{
	struct translate_options o = {.target = TRANSLATE_KUBERNETES,
				      .read_file = read_file};

	check_golden(SAMPLE("lab"), GOLDEN("lab.k8s.yaml"), &o);
	check_golden(SAMPLE("mixed"), GOLDEN("mixed.k8s.yaml"), &o);
	check_golden(SAMPLE("nginx-aspnet"), GOLDEN("nginx-aspnet.k8s.yaml"),
		     &o);
	check_golden(SAMPLE("build"), GOLDEN("build.k8s.yaml"), &o);
	check_golden(FIXTURE("translate/full/compose.yaml"),
		     GOLDEN("full.k8s.yaml"), &o);
}

Test(translate_golden, samples_to_swarm)
{
	struct translate_options o = {.target = TRANSLATE_SWARM,
				      .read_file = read_file};
	struct translate_options lab = {.target = TRANSLATE_SWARM,
					.os_label = "os",
					.endpoint_mode = "dnsrr",
					.read_file = read_file};

	check_golden(SAMPLE("lab"), GOLDEN("lab.swarm.yaml"), &lab);
	check_golden(SAMPLE("mixed"), GOLDEN("mixed.swarm.yaml"), &o);
	check_golden(SAMPLE("nginx-aspnet"), GOLDEN("nginx-aspnet.swarm.yaml"),
		     &o);
	check_golden(FIXTURE("translate/full/compose.yaml"),
		     GOLDEN("full.swarm.yaml"), &o);
}

static bool has(const struct sbuf *sb, const char *s)
{
	return strstr(sb->buf, s) != NULL;
}

Test(translate_rules, windows_service_gets_os_selector_and_toleration)
{
	struct translate_options o = {.target = TRANSLATE_KUBERNETES};
	struct sbuf out = SBUF_INIT;

	run_translate(&out, SAMPLE("lab"), &o);
	/* web asks for windows: all three placements, in its Deployment. */
	cr_assert(has(&out, "      os:\n        name: windows\n"
			    "      nodeSelector:\n"
			    "        kubernetes.io/os: windows\n"
			    "      tolerations:\n        - key: os\n"
			    "          operator: Equal\n"
			    "          value: windows\n"
			    "          effect: NoSchedule\n"),
		  "%s", out.buf);
	/* nginx is linux: a selector, and no toleration. */
	cr_assert(has(&out, "kubernetes.io/os: linux\n      containers:"));
	/* The Windows healthcheck runs through cmd, the Linux one sh. */
	cr_assert(has(&out,
		      "- cmd\n                - /S\n                - /C\n"));
	sbuf_release(&out);
}

Test(translate_rules, pin_routes_by_the_pinned_daemons_os)
{
	struct translate_options o = {.target = TRANSLATE_SWARM};
	struct sbuf out = SBUF_INIT;

	run_translate(&out, FIXTURE("translate/full/compose.yaml"), &o);
	/* api has no platform, but its pin names a windows daemon. */
	cr_assert(has(&out, "  api:\n"));
	cr_assert(has(&out, "          - node.platform.os == windows\n  db:"),
		  "%s", out.buf);
	sbuf_release(&out);
}

Test(translate_rules, os_label_and_dnsrr_publish_in_host_mode)
{
	struct translate_options o = {.target = TRANSLATE_SWARM,
				      .os_label = "os",
				      .endpoint_mode = "dnsrr"};
	struct sbuf out = SBUF_INIT;

	run_translate(&out, SAMPLE("lab"), &o);
	cr_assert(has(&out, "- node.labels.os == windows\n"));
	cr_assert(has(&out, "- node.labels.os == linux\n"));
	cr_assert(!has(&out, "node.platform.os"));
	cr_assert(has(&out, "endpoint_mode: dnsrr\n"));
	cr_assert(has(&out, "        mode: host\n"));
	/* The host IP and the changed mode are both noted, at the port. */
	cr_assert(has(&out, "# @DIR@/compose.yaml:29:9: services.nginx."
			    "ports[0]: not carried over to swarm: host IP "
			    "'127.0.0.1'"),
		  "%s", out.buf);
	cr_assert(has(&out, "ports[0]: not carried over to swarm: mode "
			    "'ingress'"));
	sbuf_release(&out);
}

Test(translate_rules, every_uncarried_key_is_noted_with_its_position)
{
	struct translate_options o = {.target = TRANSLATE_KUBERNETES,
				      .read_file = read_file};
	struct sbuf out = SBUF_INIT;

	run_translate(&out, FIXTURE("translate/full/compose.yaml"), &o);
	cr_assert(has(&out, "compose.yaml:30:5: services.api.container_name: "
			    "not carried over to kubernetes"));
	cr_assert(has(&out, "compose.yaml:45:5: services.db.x-team: not "
			    "carried over"));
	cr_assert(has(&out, "compose.yaml:40:9: services.db.volumes[2]: "));
	cr_assert(has(&out, "compose.yaml:59:5: services.front.links: "));
	cr_assert(has(&out, "compose.yaml:18:7: services.api.networks.back."
			    "aliases[1]: "));
	/* The secret comes from the environment, base64 in a Secret. */
	cr_assert(has(&out, "kind: Secret\nmetadata:\n  name: shop-token\n"
			    "type: Opaque\ndata:\n  token: czNjcmV0\n"),
		  "%s", out.buf);
	sbuf_release(&out);
}

Test(translate_rules, bad_endpoint_mode_is_a_usage_error)
{
	struct compose_project *p = load(SAMPLE("lab"));
	struct arena *a = arena_new();
	struct translate_docs docs;
	struct diag_list notes = DIAG_LIST_INIT;
	struct diag err = {0};
	struct translate_options o = {.target = TRANSLATE_SWARM,
				      .endpoint_mode = "mesh"};

	cr_assert_eq(translate_project(&docs, a, p, &o, &notes, &err),
		     DIAG_EUSAGE);
	cr_assert(strstr(err.msg, "'mesh'"));
	cr_assert_eq(translate_target_parse("k8s"), TRANSLATE_KUBERNETES);
	cr_assert_eq(translate_target_parse("nomad"), -1);
	diag_list_release(&notes);
	arena_free(a);
	compose_project_free(p);
}

Test(translate_rules, without_daemon_declarations_platform_places)
{
	struct translate_options o = {.target = TRANSLATE_KUBERNETES};
	struct sbuf out = SBUF_INIT;

	run_translate(&out, FIXTURE("translate/plain/compose.yaml"), &o);
	cr_assert(has(&out, "  name: a\n"), "%s", out.buf);
	cr_assert(has(&out, "kubernetes.io/os: linux\n      containers:\n"
			    "        - name: a\n"),
		  "%s", out.buf);
	cr_assert(has(&out, "effect: NoSchedule\n      containers:\n"
			    "        - name: b\n"));
	sbuf_release(&out);
}
