/*
 * Service volumes: the short form "[source:]target[:options]" parsed the
 * way compose-go's format.ParseVolume does (a one-letter section followed
 * by ':' is a Windows drive, not a separator), and the long form.
 */
#include "compose/normalize_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/xalloc.h"

struct vol_parts {
	const char *src, *dst, *mode;
};

/* Stores one colon-separated section; -1 for "too many colons". */
static int put_section(struct arena *a,
		       struct vol_parts *v,
		       const char *s,
		       size_t len,
		       bool last)
{
	const char *sec = arena_strndup(a, s, len);

	if (!len)
		return -1;
	if (!v->src && !v->dst && last)
		v->dst = sec;
	else if (!v->src)
		v->src = sec;
	else if (!v->dst)
		v->dst = sec;
	else if (!last)
		return -1;
	else
		v->mode = sec;
	return 0;
}

int compose_volume_split(struct arena *a,
			 const char *spec,
			 const char **src,
			 const char **dst,
			 const char **mode)
{
	struct vol_parts v = {0};
	size_t start = 0, len = strlen(spec);

	*src = *dst = *mode = NULL;
	if (!len)
		return -1;
	if (len <= 2) {
		*dst = spec;
		return 0;
	}
	for (size_t i = 0; i < len; i++) {
		if (spec[i] != ':')
			continue;
		/* "C:" is a drive letter. */
		if (i - start == 1 && isalpha((unsigned char)spec[start]))
			continue;
		if (put_section(a, &v, spec + start, i - start, false))
			return -1;
		start = i + 1;
	}
	if (put_section(a, &v, spec + start, len - start, true))
		return -1;
	*src = v.src;
	*dst = v.dst;
	*mode = v.mode;
	return 0;
}

const char *compose_volume_short_target(struct arena *a, const char *spec)
{
	const char *src, *dst, *mode;

	if (!spec || compose_volume_split(a, spec, &src, &dst, &mode))
		return spec;
	return dst;
}

static bool is_npipe(const char *s)
{
	return !strncmp(s, "\\\\.\\pipe\\", 9) || !strncmp(s, "//./pipe/", 9);
}

static bool is_file_path(const char *s)
{
	if (!s || !*s)
		return false;
	if (s[0] == '.' || s[0] == '/' || s[0] == '~' || !strncmp(s, "\\\\", 2))
		return true;
	return isalpha((unsigned char)s[0]) && s[1] == ':';
}

static void mount_init(struct compose_mount *m)
{
	m->bind_create_host_path = -1;
	m->volume_nocopy = -1;
	m->tmpfs_size = -1;
	m->tmpfs_mode = -1;
}

static const char *bind_source(struct norm *n, const char *src)
{
	/* As compose-go, an absolute source stays as written. */
	if (is_npipe(src) || compose_path_is_abs(src))
		return src;
	src = compose_path_expand_home(n->a, src, n->p->env);
	return compose_path_join(n->a, n->p->working_dir, src);
}

static const char *propagation(const char *o)
{
	static const char *const names[] = {"shared", "rshared", "slave",
					    "rslave", "private", "rprivate"};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(o, names[i]))
			return names[i];
	return NULL;
}

/* Unknown options are ignored, as compose-go does. */
static void
short_options(struct arena *a, struct compose_mount *m, const char *mode)
{
	char *opts = arena_strdup(a, mode), *save = NULL;

	for (char *o = strtok_r(opts, ",", &save); o;
	     o = strtok_r(NULL, ",", &save)) {
		if (!strcmp(o, "ro"))
			m->read_only = true;
		else if (!strcmp(o, "rw"))
			m->read_only = false;
		else if (!strcmp(o, "nocopy"))
			m->volume_nocopy = 1;
		else if (!strcmp(o, "z") || !strcmp(o, "Z"))
			m->bind_selinux = o;
		else if (!strcmp(o, "cached") || !strcmp(o, "delegated") ||
			 !strcmp(o, "consistent"))
			m->consistency = o;
		else if (propagation(o))
			m->bind_propagation = propagation(o);
	}
}

static int
volume_short(struct norm *n, struct compose_mount *m, const char *spec)
{
	const char *src, *dst, *mode;

	if (compose_volume_split(n->a, spec, &src, &dst, &mode))
		return -1;
	m->target = dst;
	if (!src) {
		m->type = COMPOSE_MOUNT_VOLUME;
	} else if (is_npipe(src)) {
		m->type = COMPOSE_MOUNT_NPIPE;
		m->source = src;
	} else if (is_file_path(src)) {
		m->type = COMPOSE_MOUNT_BIND;
		m->source = bind_source(n, src);
		m->bind_create_host_path = 1;
	} else {
		m->type = COMPOSE_MOUNT_VOLUME;
		m->source = src;
	}
	if (mode)
		short_options(n->a, m, mode);
	return 0;
}

static int mount_type(enum compose_mount_type *t, const char *s)
{
	static const char *const names[] = {"bind",  "volume",	"tmpfs",
					    "npipe", "cluster", "image"};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (!strcmp(s, names[i])) {
			*t = (enum compose_mount_type)i;
			return 0;
		}
	}
	return -1;
}

static void volume_long_opts(struct norm *n,
			     struct compose_mount *m,
			     const struct compose_node *v,
			     size_t idx)
{
	const struct compose_node *b = MAP_GET(v, "bind");
	const struct compose_node *vo = MAP_GET(v, "volume");
	const struct compose_node *t = MAP_GET(v, "tmpfs");

	if (b) {
		m->bind_propagation = norm_key_str(b, "propagation");
		m->bind_selinux = norm_key_str(b, "selinux");
		m->bind_create_host_path =
			norm_tristate(n, b, "create_host_path");
		m->bind_recursive = norm_key_str(b, "recursive");
	}
	if (vo) {
		m->volume_nocopy = norm_tristate(n, vo, "nocopy");
		m->volume_subpath = norm_key_str(vo, "subpath");
		m->n_volume_labels =
			norm_kv(n, &m->volume_labels, MAP_GET(vo, "labels"),
				"volume.labels", "=", false);
	}
	m->image_subpath = norm_key_str(MAP_GET(v, "image"), "subpath");
	if (t && norm_key_str(t, "size")) {
		m->tmpfs_size = compose_bytes_parse(norm_key_str(t, "size"));
		if (m->tmpfs_size < 0)
			norm_err(n, t,
				 "volumes[%zu].tmpfs.size: '%s' is not a "
				 "valid size",
				 idx, norm_key_str(t, "size"));
	}
	if (t && norm_key_str(t, "mode"))
		m->tmpfs_mode = (int)strtol(norm_key_str(t, "mode"), NULL, 0);
}

static int volume_long(struct norm *n,
		       struct compose_mount *m,
		       const struct compose_node *v,
		       size_t idx)
{
	const char *type = norm_key_str(v, "type");

	if (!type || mount_type(&m->type, type)) {
		norm_err(n, v, "volumes[%zu]: '%s' is not a valid mount type",
			 idx, type ? type : "(none)");
		return 0;
	}
	m->source = norm_key_str(v, "source");
	m->target = norm_key_str(v, "target");
	m->read_only = norm_bool(n, v, "read_only", false);
	m->consistency = norm_key_str(v, "consistency");
	if (m->type == COMPOSE_MOUNT_BIND && m->source)
		m->source = bind_source(n, m->source);
	if (m->type == COMPOSE_MOUNT_BIND && !m->source)
		norm_err(n, v, "volumes[%zu]: a bind mount needs a source",
			 idx);
	volume_long_opts(n, m, v, idx);
	return 0;
}

static int cmp_volume_key(const void *k, const void *v)
{
	return strcmp(k, ((const struct compose_volume *)v)->key);
}

/* Top-level volumes are sorted by key before services are normalized. */
static bool volume_declared(const struct compose_project *p, const char *key)
{
	return p->n_volumes && bsearch(key, p->volumes, p->n_volumes,
				       sizeof(*p->volumes), cmp_volume_key);
}

void norm_service_volumes(struct norm *n,
			  struct compose_service *s,
			  const struct compose_node *v)
{
	if (compose_node_is_null(v))
		return;
	if (v->kind != COMPOSE_NODE_SEQ) {
		norm_err(n, v, "volumes: expected a list");
		return;
	}
	s->volumes = arena_calloc(n->a, v->n, sizeof(*s->volumes));
	for (size_t i = 0; i < v->n; i++) {
		const struct compose_node *it = v->items[i];
		struct compose_mount *m = &s->volumes[s->n_volumes];

		mount_init(m);
		m->loc = compose_node_loc(it);
		if (it->kind == COMPOSE_NODE_MAP) {
			volume_long(n, m, it, i);
		} else if (!norm_str(it) || volume_short(n, m, it->str)) {
			norm_err(n, it,
				 "volumes[%zu]: '%s' is not a valid "
				 "volume spec",
				 i, norm_str(it) ? it->str : "...");
			continue;
		}
		if (!m->target || !*m->target)
			norm_err(n, it, "volumes[%zu]: no target", i);
		else if (m->target[0] == '/') /* compose-go: path.Clean */
			m->target = compose_path_join(n->a, "/", m->target);
		if (m->type == COMPOSE_MOUNT_VOLUME && m->source &&
		    !volume_declared(n->p, m->source))
			norm_err(n, it, "volumes[%zu]: undefined volume '%s'",
				 i, m->source);
		s->n_volumes++;
	}
}
