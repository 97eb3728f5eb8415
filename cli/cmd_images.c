/*
 * mixcompose images: the image of each of the project's containers, as
 * its own daemon has it (one inspect per image and daemon, all at once).
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "planner/planner.h"
#include "util/json.h"
#include "util/xalloc.h"

struct images_opts {
	const char *format;
	bool json;
	bool quiet;
	char **names;
	size_t n_names;
};

struct image_row {
	const struct plan_host *h;
	const struct plan_host_container *c;
	const char *ref; /* the container's Config.Image */
	int rc;
	struct engine_image_info info;
};

#define O struct images_opts
static const struct cli_opt images_opts_v[] = {
	CLI_FORMAT(O, format, "table|json", "output format (default table)"),
	CLI_FLAG('q', "quiet", O, quiet, "only the image ids"),
	CLI_OPT_END,
};
#undef O

const struct cli_spec cli_spec_images = {
	.name = "images",
	.args = "[SERVICE...]",
	.summary = "list the containers' images, per daemon",
	.desc = "List the images of the project's containers, each from "
		"its own daemon.",
	.opts = images_opts_v,
	.max_args = -1,
	.args_complete = CLI_COMPLETE_SERVICE,
};

static int images_parse(struct images_opts *o, int argc, char **argv)
{
	int n, rc = cli_opt_parse(&cli_spec_images, o, argc, argv, &n);

	o->json = o->format && !strcmp(o->format, "json");
	o->names = argv + 1;
	o->n_names = (size_t)n;
	return rc;
}

static void image_done(void *ud,
		       int rc,
		       const struct engine_image_info *info,
		       const struct diag *err)
{
	struct cli_task *t = ud;

	if (!rc)
		((struct image_row *)t->ud)->info = *info;
	cli_task_done(t, rc, err);
}

static void
image_one(struct engine_loop *l, struct engine *e, struct cli_task *t)
{
	engine_image_inspect_async(l, e, t->ref, image_done, t);
}

static int cmp_row(const void *pa, const void *pb)
{
	const struct image_row *a = pa, *b = pb;
	int r = strcmp(a->c->name, b->c->name);

	return r ? r : strcmp(a->h->name, b->h->name);
}

/* Every container of the selected services (compose: all, one-off too). */
static size_t images_rows(struct image_row **out,
			  struct cli_session *s,
			  const struct images_opts *o)
{
	struct image_row *v = NULL;
	size_t n = 0, alloc = 0;

	for (size_t h = 0; h < s->n_hosts; h++)
		for (size_t c = 0; s->ext[h] && c < s->hosts[h].n_containers;
		     c++) {
			const struct plan_host_container *pc =
				&s->hosts[h].containers[c];

			if (!pc->service ||
			    !cli_names_has(o->names, o->n_names, pc->service))
				continue;
			ALLOC_GROW(v, n + 1, alloc);
			memset(&v[n], 0, sizeof(v[n]));
			v[n].h = &s->hosts[h];
			v[n].c = pc;
			v[n++].ref = s->ext[h][c].image;
		}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_row);
	*out = v;
	return n;
}

/* The first row before 'i' that names the same image on the same daemon. */
static size_t same_image(const struct image_row *v, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (v[k].h == v[i].h && !strcmp(v[k].ref, v[i].ref))
			return k;
	return i;
}

/*
 * One inspect per image and daemon, however many containers run it (fifty
 * replicas of one image: one request, not fifty); each row then takes its
 * image's answer.
 */
static int images_inspect(struct cli_session *s, struct image_row *v, size_t n)
{
	struct cli_tasks_opts o = {.kind = "Container"};
	struct cli_task *t = xcalloc(n + 1, sizeof(*t));
	size_t *first = xcalloc(n + 1, sizeof(*first));
	size_t nt = 0;
	int rc;

	for (size_t i = 0; i < n; i++) {
		first[i] = same_image(v, i);
		if (first[i] != i)
			continue;
		t[nt++] = (struct cli_task){.h = v[i].h,
					    .what = v[i].c->name,
					    .detail = v[i].ref,
					    .start = image_one,
					    .ref = v[i].ref,
					    .ud = &v[i]};
	}
	rc = cli_tasks_run(s, t, nt, &o);
	for (size_t i = 0; i < nt; i++)
		((struct image_row *)t[i].ud)->rc = t[i].rc;
	for (size_t i = 0; i < n; i++)
		if (first[i] != i) {
			v[i].rc = v[first[i]].rc;
			v[i].info = v[first[i]].info;
		}
	free(first);
	free(t);
	return rc;
}

static const char *bare_id(const char *id)
{
	return strncmp(id, "sha256:", 7) ? id : id + 7;
}

static void print_quiet(const struct image_row *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		bool seen = false;

		for (size_t k = 0; k < i && !seen; k++)
			seen = !v[k].rc && !strcmp(v[k].info.id, v[i].info.id);
		if (!v[i].rc && !seen)
			printf("%s\n", bare_id(v[i].info.id));
	}
}

static void platform(struct sbuf *sb, const struct engine_image_info *in)
{
	sbuf_addf(sb, "%s/%s", in->os, in->arch);
	if (in->variant[0])
		sbuf_addf(sb, "/%s", in->variant);
}

enum {
	IC_CONTAINER,
	IC_DAEMON,
	IC_REPO,
	IC_TAG,
	IC_PLATFORM,
	IC_ID,
	IC_SIZE,
	IC_N
};

static void row_cells(char **c, const struct image_row *r)
{
	struct sbuf repo = SBUF_INIT, tag = SBUF_INIT, pf = SBUF_INIT;
	char size[32];

	cli_image_ref_split(&repo, &tag, r->ref);
	platform(&pf, &r->info);
	cli_human_size(size, sizeof(size), r->info.size);
	c[IC_CONTAINER] = xstrdup(r->c->name);
	c[IC_DAEMON] = xstrdup(r->h->name);
	c[IC_REPO] = xstrdup(repo.len ? repo.buf : "<none>");
	c[IC_TAG] = xstrdup(tag.len ? tag.buf : "<none>");
	c[IC_PLATFORM] = sbuf_detach(&pf, NULL);
	/* The short id, as docker shows it: 12 hex digits. */
	c[IC_ID] = xstrndup(bare_id(r->info.id), 12);
	c[IC_SIZE] = xstrdup(size);
	sbuf_release(&repo);
	sbuf_release(&tag);
}

static void print_table(const struct image_row *v, size_t n)
{
	static const char *const heads[IC_N] = {
		"CONTAINER", "DAEMON",	 "REPOSITORY", "TAG",
		"PLATFORM",  "IMAGE ID", "SIZE"};
	char **cells = xcalloc(n * IC_N + 1, sizeof(*cells));
	struct sbuf out = SBUF_INIT;
	size_t nr = 0;

	for (size_t i = 0; i < n; i++)
		if (!v[i].rc)
			row_cells(&cells[nr++ * IC_N], &v[i]);
	/* compose's formatter: tabwriter with 20 wide cells, 3 apart. */
	cli_table_write(&out, heads, IC_N, cells, nr, 3, 20);
	fputs(out.buf, stdout);
	for (size_t i = 0; i < nr * IC_N; i++)
		free(cells[i]);
	free(cells);
	sbuf_release(&out);
}

static void print_json(const struct image_row *v, size_t n)
{
	struct sbuf repo = SBUF_INIT, tag = SBUF_INIT, pf = SBUF_INIT;
	struct json *rows = json_array_new();

	for (size_t i = 0; i < n; i++) {
		struct json *it;

		if (v[i].rc)
			continue;
		cli_image_ref_split(&repo, &tag, v[i].ref);
		sbuf_reset(&pf);
		platform(&pf, &v[i].info);
		it = json_add_object(rows, NULL);
		json_add_str(it, "ID", v[i].info.id);
		json_add_str(it, "ContainerName", v[i].c->name);
		json_add_str(it, "Repository", repo.buf);
		json_add_str(it, "Tag", tag.buf);
		json_add_str(it, "Platform", pf.buf);
		json_add_int(it, "Size", v[i].info.size);
		if (v[i].info.created[0])
			json_add_str(it, "Created", v[i].info.created);
		json_add_str(it, "Daemon", v[i].h->name);
	}
	cli_json_print(rows, 0);
	sbuf_release(&repo);
	sbuf_release(&tag);
	sbuf_release(&pf);
}

int cmd_images(int argc, char **argv)
{
	struct images_opts o = {0};
	struct image_row *v = NULL;
	struct cli_session s;
	size_t n = 0;
	int rc = images_parse(&o, argc, argv);

	if (rc)
		return rc < 0 ? CLI_OK : rc;
	rc = cli_session_open(&s, CLI_SESSION_QUIET | CLI_SESSION_CONTAINERS);
	if (!rc)
		rc = cli_session_check_services(&s, o.names, o.n_names);
	if (!rc) {
		n = images_rows(&v, &s, &o);
		rc = images_inspect(&s, v, n);
		if (o.quiet)
			print_quiet(v, n);
		else if (o.json)
			print_json(v, n);
		else
			print_table(v, n);
	}
	free(v);
	cli_session_close(&s);
	return rc;
}
