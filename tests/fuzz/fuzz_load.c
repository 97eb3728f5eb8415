/*
 * libFuzzer target over the loading front end: the YAML parser (anchors,
 * merge keys, limits), interpolation of the tree, the YAML and JSON
 * writers, the dotenv parser and the small string parsers, all on the
 * same input.  One oracle beyond "no crash": a parsed tree written as
 * YAML must read back as the same tree.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compose/compose.h"
#include "util/arena.h"
#include "util/sbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same_tree(const struct compose_node *a,
		      const struct compose_node *b)
{
	if (!a || !b)
		return a == b;
	if (a->kind != b->kind || a->n != b->n)
		return false;
	if (a->tag != b->tag) /* atoms: equal tags, equal atoms */
		return false;
	/* A null is a null however it is spelt ("", "~", "null"). */
	if (a->kind == COMPOSE_NODE_SCALAR &&
	    compose_scalar_type(a) == COMPOSE_TYPE_NULL)
		return compose_scalar_type(b) == COMPOSE_TYPE_NULL;
	if (a->kind == COMPOSE_NODE_SCALAR)
		return a->len == b->len && !memcmp(a->str, b->str, a->len) &&
		       compose_scalar_type(a) == compose_scalar_type(b);
	for (size_t i = 0; i < a->n; i++) {
		if (a->kind == COMPOSE_NODE_MAP) {
			const struct compose_node *ka = a->pairs[i].key;
			const struct compose_node *kb = b->pairs[i].key;

			if (ka->len != kb->len ||
			    memcmp(ka->str, kb->str, ka->len) ||
			    !same_tree(a->pairs[i].value, b->pairs[i].value))
				return false;
		} else if (!same_tree(a->items[i], b->items[i])) {
			return false;
		}
	}
	return true;
}

static void check_round_trip(struct arena *a, const struct compose_node *root)
{
	struct sbuf y = SBUF_INIT, j = SBUF_INIT;
	struct compose_node *again = NULL;
	struct diag err = {0};

	compose_node_emit_yaml(&y, root);
	compose_node_emit_json(&j, root);
	if (compose_yaml_parse(&again, a, "emitted", y.buf, y.len, NULL,
			       &err) ||
	    !same_tree(root, again))
		__builtin_trap();
	sbuf_release(&y);
	sbuf_release(&j);
}

static void run_yaml(struct arena *a,
		     const char *buf,
		     size_t len,
		     const struct compose_env *env)
{
	struct compose_yaml_limits lim = {20000, 64};
	struct compose_node *root = NULL;
	struct diag err = {0};

	if (compose_yaml_parse(&root, a, "fuzz.yaml", buf, len, &lim, &err))
		return;
	if (root)
		check_round_trip(a, root);
	if (compose_interpolate_tree(root, a, env, &err) == 0 && root)
		check_round_trip(a, root);
}

static void run_strings(struct arena *a, const char *s)
{
	struct compose_strv words;
	struct diag err = {0};
	long long ns;

	(void)compose_shell_split(&words, a, s, NULL, &err);
	(void)compose_duration_parse(&ns, s);
	(void)compose_project_name_normalize(a, s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new();
	struct compose_env *env = compose_env_new(a);
	struct compose_env *out = compose_env_new(a);
	char *text = malloc(size + 1);
	struct diag err = {0};

	compose_env_set(env, "TAG", "1.25");
	compose_env_set(env, "PORT", "8080");
	compose_env_set(env, "EMPTY", "");
	compose_env_set(env, "HOME", "/root");
	memcpy(text, data, size);
	text[size] = '\0';

	run_yaml(a, text, size, env);
	(void)compose_dotenv_parse(out, "fuzz.env", text, size, env, &err);
	run_strings(a, text);

	free(text);
	arena_free(a);
	return 0;
}
