/* compose_project_load(): files, environment, name, profiles, include, extends.
 */
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

TestSuite(compose_load, .init = setup, .fini = teardown);

static const char *env_of(const struct compose_service *s, const char *k)
{
	const struct compose_kv *kv =
		lt_kv(s->environment, s->n_environment, k);

	cr_assert_not_null(kv, "no environment %s", k);
	return kv->value;
}

/* ---- Finding the files ------------------------------------------------ */

Test(compose_load, discovery_prefers_compose_yaml_and_warns)
{
	t.o.cwd = FIXTURE("compose/load_discovery_both");
	lt_ok(&t, NULL);
	cr_assert_str_eq(lt_svc(&t, "web")->image, "from-compose-yaml");
	cr_assert_eq(t.p->warnings.warnings, 1);
	cr_assert(strstr(t.p->warnings.items[0].d.msg, "multiple config"));
}

Test(compose_load, discovery_compose_yml_before_docker_compose)
{
	t.o.cwd = FIXTURE("compose/load_discovery_yml");
	lt_ok(&t, NULL);
	cr_assert_str_eq(lt_svc(&t, "web")->image, "from-compose-yml");
}

Test(compose_load, discovery_docker_compose_yml_with_override)
{
	t.o.cwd = FIXTURE("compose/load_discovery_dc");
	lt_ok(&t, NULL);
	cr_assert_eq(t.p->config_files.n, 2);
	cr_assert(
		strstr(t.p->config_files.v[1], "docker-compose.override.yml"));
	cr_assert_str_eq(env_of(lt_svc(&t, "web"), "FROM_OVERRIDE"), "yes");
}

Test(compose_load, discovery_docker_compose_yaml_alone)
{
	lt_write(&t, "docker-compose.yaml", "services:\n  a:\n    image: x\n");
	lt_ok(&t, NULL);
	cr_assert_eq(t.p->config_files.n, 1);
	cr_assert(strstr(t.p->config_files.v[0], "/docker-compose.yaml"));
}

Test(compose_load, override_file_merges_after_base)
{
	t.o.cwd = FIXTURE("compose/load_override");
	lt_ok(&t, NULL);
	cr_assert_str_eq(lt_svc(&t, "web")->image, "nginx:override");
	cr_assert_eq(lt_svc(&t, "web")->n_ports, 2);
	cr_assert_not_null(compose_service_find(t.p, "extra"));
}

Test(compose_load, discovery_walks_up_to_parent_directory)
{
	t.o.cwd = FIXTURE("compose/load_parent/sub/deeper");
	lt_ok(&t, NULL);
	cr_assert_str_eq(lt_svc(&t, "web")->image, "parent");
	cr_assert(strstr(t.p->working_dir, "/load_parent"));
	cr_assert_eq(strstr(t.p->working_dir, "/sub"), NULL);
	cr_assert_str_eq(t.p->name, "load_parent");
	cr_assert(strstr(lt_svc(&t, "web")->volumes[0].source,
			 "load_parent/data"));
}

Test(compose_load, no_file_is_a_clear_error)
{
	cr_assert_neq(lt_load(&t), 0);
	cr_assert_eq(t.rc, DIAG_ENOTFOUND);
	cr_assert(strstr(t.err.msg, "no configuration file provided"));
	cr_assert_null(t.p);
}

Test(compose_load, compose_file_variable_lists_files)
{
	lt_write(&t, "a.yaml", "services:\n  a:\n    image: a\n");
	lt_write(&t, "b.yaml",
		 "services:\n  a:\n    image: b\n  b:\n    image: b\n");
	lt_env(&t, "COMPOSE_FILE=a.yaml:b.yaml");
	lt_ok(&t, NULL);
	cr_assert_eq(t.p->config_files.n, 2);
	cr_assert_str_eq(lt_svc(&t, "a")->image, "b");
}

Test(compose_load, compose_file_honours_path_separator)
{
	lt_write(&t, "a.yaml", "services:\n  a:\n    image: a\n");
	lt_write(&t, "b.yaml", "services:\n  b:\n    image: b\n");
	lt_env(&t, "COMPOSE_FILE=a.yaml;b.yaml");
	lt_env(&t, "COMPOSE_PATH_SEPARATOR=;");
	lt_ok(&t, NULL);
	cr_assert_eq(t.p->n_services, 2);
}

Test(compose_load, compose_file_may_come_from_dotenv)
{
	lt_write(&t, "x.yaml", "services:\n  x:\n    image: x\n");
	lt_write(&t, ".env", "COMPOSE_FILE=x.yaml\n");
	lt_ok(&t, NULL);
	cr_assert_not_null(compose_service_find(t.p, "x"));
}

Test(compose_load, f_files_merge_in_order)
{
	lt_write(&t, "one.yaml", "services:\n  s:\n    image: one\n");
	lt_write(&t, "two.yaml", "services:\n  s:\n    image: two\n");
	lt_file(&t, "two.yaml");
	lt_file(&t, "one.yaml");
	lt_ok(&t, NULL);
	cr_assert_str_eq(lt_svc(&t, "s")->image, "one");
	cr_assert(strstr(t.p->config_files.v[0], "/two.yaml"));
}

Test(compose_load, f_file_sets_project_directory)
{
	lt_write(&t, "sub/app.yaml",
		 "services:\n  s:\n    image: x\n    volumes: [\"./d:/d\"]\n");
	lt_file(&t, "sub/app.yaml");
	lt_ok(&t, NULL);
	cr_assert(strstr(t.p->working_dir, "/sub"));
	cr_assert_str_eq(t.p->name, "sub");
	cr_assert(strstr(lt_svc(&t, "s")->volumes[0].source, "/sub/d"));
}

Test(compose_load, project_directory_option_wins)
{
	lt_write(&t, "sub/app.yaml",
		 "services:\n  s:\n    image: x\n    volumes: [\"./d:/d\"]\n");
	lt_write(&t, "elsewhere/.env", "IMG=from-elsewhere\n");
	lt_file(&t, "sub/app.yaml");
	t.o.project_dir = "elsewhere";
	lt_ok(&t, NULL);
	cr_assert(strstr(t.p->working_dir, "/elsewhere"));
	cr_assert_str_eq(t.p->name, "elsewhere");
	cr_assert(strstr(lt_svc(&t, "s")->volumes[0].source, "/elsewhere/d"));
	cr_assert_str_eq(compose_env_get(t.p->env, "IMG"), "from-elsewhere");
}

Test(compose_load, yaml_error_keeps_file_line_column)
{
	lt_write(&t, "compose.yaml", "services:\n  web:\n    image: [x\n");
	cr_assert_neq(lt_load(&t), 0);
	cr_assert_eq(t.rc, DIAG_ESYNTAX);
	cr_assert_geq(t.err.loc.line, 3);
	cr_assert_str_eq(t.err.loc.file, "compose.yaml");
}

Test(compose_load, empty_file_is_an_error)
{
	lt_write(&t, "compose.yaml", "# nothing\n");
	cr_assert_neq(lt_load(&t), 0);
	cr_assert(strstr(t.err.msg, "empty compose file"));
}

Test(compose_load, non_mapping_root_is_an_error)
{
	lt_write(&t, "compose.yaml", "- a\n- b\n");
	cr_assert_neq(lt_load(&t), 0);
	cr_assert_eq(t.err.loc.line, 1);
	cr_assert_eq(t.err.loc.col, 1);
}

Test(compose_load, config_files_are_absolute)
{
	lt_ok(&t, "services:\n  a:\n    image: x\n");
	cr_assert_eq(t.p->config_files.v[0][0], '/');
}

/* ---- The environment -------------------------------------------------- */

Test(compose_load, dotenv_fills_interpolation)
{
	t.o.cwd = FIXTURE("compose/load_dotenv");
	lt_ok(&t, NULL);
	cr_assert_str_eq(lt_svc(&t, "web")->image, "nginx:from-dotenv");
	cr_assert_str_eq(env_of(lt_svc(&t, "web"), "GREETING"), "hello");
}

Test(compose_load, process_env_wins_over_dotenv)
{
	t.o.cwd = FIXTURE("compose/load_dotenv");
	lt_env(&t, "TAG=from-shell");
	lt_ok(&t, NULL);
	cr_assert_str_eq(lt_svc(&t, "web")->image, "nginx:from-shell");
	cr_assert_str_eq(compose_env_get(t.p->env, "TAG"), "from-shell");
}

Test(compose_load, env_file_option_replaces_dotenv)
{
	t.o.cwd = FIXTURE("compose/load_dotenv");
	lt_env_file(&t, "other.env");
	lt_ok(&t, NULL);
	cr_assert_str_eq(lt_svc(&t, "web")->image, "nginx:from-other");
	/* .env is not read at all: GREETING keeps its default. */
	cr_assert_str_eq(env_of(lt_svc(&t, "web"), "GREETING"), "none");
}

Test(compose_load, env_file_options_apply_in_order)
{
	t.o.cwd = FIXTURE("compose/load_dotenv");
	lt_env_file(&t, "other.env");
	lt_env_file(&t, "third.env");
	lt_ok(&t, NULL);
	cr_assert_str_eq(lt_svc(&t, "web")->image, "nginx:from-other");
	cr_assert_str_eq(env_of(lt_svc(&t, "web"), "GREETING"), "from-third");
}

Test(compose_load, missing_env_file_option_is_an_error)
{
	lt_write(&t, "compose.yaml", "services:\n  a:\n    image: x\n");
	lt_env_file(&t, "nope.env");
	cr_assert_eq(lt_load(&t), DIAG_EIO);
	cr_assert(strstr(t.err.msg, "nope.env"));
}

Test(compose_load, no_interpolate_keeps_variables)
{
	lt_env(&t, "TAG=1");
	t.o.no_interpolate = true;
	lt_ok(&t, "services:\n  a:\n    image: \"x:${TAG}\"\n");
	cr_assert_str_eq(lt_svc(&t, "a")->image, "x:${TAG}");
}

Test(compose_load, unset_variable_warns)
{
	lt_ok(&t, "services:\n  a:\n    image: \"x:${NOPE}\"\n");
	cr_assert_str_eq(lt_svc(&t, "a")->image, "x:");
	cr_assert_eq(t.p->warnings.warnings, 1);
	cr_assert(strstr(t.p->warnings.items[0].d.msg, "NOPE"));
	cr_assert_eq(t.p->warnings.items[0].d.loc.line, 3);
}

/* ---- The project name ------------------------------------------------- */

Test(compose_load, name_from_flag)
{
	t.o.project_name = "flagged";
	lt_env(&t, "COMPOSE_PROJECT_NAME=fromenv");
	lt_ok(&t, "name: fromfile\nservices:\n  a:\n    image: x\n");
	cr_assert_str_eq(t.p->name, "flagged");
}

Test(compose_load, name_from_env_beats_name_key)
{
	lt_env(&t, "COMPOSE_PROJECT_NAME=fromenv");
	lt_ok(&t, "name: fromfile\nservices:\n  a:\n    image: x\n");
	cr_assert_str_eq(t.p->name, "fromenv");
}

Test(compose_load, name_from_dotenv)
{
	t.o.cwd = FIXTURE("compose/load_dotenv");
	lt_ok(&t, NULL);
	cr_assert_str_eq(t.p->name, "dotenvproj");
}

Test(compose_load, name_key_beats_directory)
{
	lt_ok(&t, "name: fromfile\nservices:\n  a:\n    image: x\n");
	cr_assert_str_eq(t.p->name, "fromfile");
}

Test(compose_load, name_key_is_normalized)
{
	lt_ok(&t, "name: My.App\nservices:\n  a:\n    image: x\n");
	cr_assert_str_eq(t.p->name, "myapp");
}

Test(compose_load, name_key_may_be_interpolated)
{
	lt_env(&t, "STAGE=dev");
	lt_ok(&t, "name: app-${STAGE}\nservices:\n  a:\n    image: x\n");
	cr_assert_str_eq(t.p->name, "app-dev");
}

Test(compose_load, directory_name_is_normalized)
{
	lt_write(&t, "My_App.Dir/compose.yaml",
		 "services:\n  a:\n    image: x\n");
	lt_file(&t, "My_App.Dir/compose.yaml");
	lt_ok(&t, NULL);
	cr_assert_str_eq(t.p->name, "my_appdir");
}

Test(compose_load, invalid_flag_name_is_an_error)
{
	lt_write(&t, "compose.yaml", "services:\n  a:\n    image: x\n");
	t.o.project_name = "My App";
	cr_assert_eq(lt_load(&t), DIAG_EUSAGE);
	cr_assert(strstr(t.err.msg, "'My App'"));
}

Test(compose_load, invalid_env_name_is_an_error)
{
	lt_write(&t, "compose.yaml", "services:\n  a:\n    image: x\n");
	lt_env(&t, "COMPOSE_PROJECT_NAME=-bad");
	cr_assert_eq(lt_load(&t), DIAG_EUSAGE);
	cr_assert(strstr(t.err.msg, "'-bad'"));
}

Test(compose_load, name_key_with_nothing_valid_is_an_error)
{
	lt_write(&t, "compose.yaml",
		 "name: \"..\"\nservices:\n  a:\n    image: x\n");
	cr_assert_eq(lt_load(&t), DIAG_EUSAGE);
}

Test(compose_load, doc_starts_with_the_project_name)
{
	lt_ok(&t, "services:\n  a:\n    image: x\nname: other\n");
	cr_assert_str_eq(t.p->doc->pairs[0].key->str, "name");
	cr_assert_str_eq(t.p->doc->pairs[0].value->str, "other");
	cr_assert_null(compose_map_get(t.p->doc, "nothing"));
}

/* ---- Profiles --------------------------------------------------------- */

static const char profiled[] =
	"services:\n"
	"  always:\n    image: x\n"
	"  debug:\n    image: x\n    profiles: [debug]\n"
	"  tools:\n    image: x\n    profiles: [tools, ops]\n";

Test(compose_load, profiled_services_are_off_by_default)
{
	lt_ok(&t, profiled);
	cr_assert_eq(t.p->n_services, 1);
	cr_assert_eq(t.p->n_disabled, 2);
	cr_assert_str_eq(t.p->disabled[0].name, "debug");
}

Test(compose_load, profile_flag_enables_services)
{
	lt_profile(&t, "ops");
	lt_ok(&t, profiled);
	cr_assert_eq(t.p->n_services, 2);
	cr_assert_not_null(compose_service_find(t.p, "tools"));
	cr_assert_eq(t.p->active_profiles.n, 1);
	cr_assert_str_eq(t.p->active_profiles.v[0], "ops");
}

Test(compose_load, compose_profiles_variable_enables_services)
{
	lt_env(&t, "COMPOSE_PROFILES=debug, tools");
	lt_ok(&t, profiled);
	cr_assert_eq(t.p->n_services, 3);
	cr_assert_eq(t.p->active_profiles.n, 2);
}

Test(compose_load, profile_flags_win_over_compose_profiles)
{
	lt_env(&t, "COMPOSE_PROFILES=debug");
	lt_profile(&t, "tools");
	lt_ok(&t, profiled);
	cr_assert_eq(t.p->n_services, 2);
	cr_assert_null(compose_service_find(t.p, "debug"));
	cr_assert_eq(t.p->active_profiles.n, 1);
}

Test(compose_load, star_profile_enables_everything)
{
	lt_profile(&t, "*");
	lt_ok(&t, profiled);
	cr_assert_eq(t.p->n_services, 3);
	cr_assert_eq(t.p->n_disabled, 0);
}

Test(compose_load, dependency_on_disabled_service_is_an_error)
{
	lt_write(&t, "compose.yaml",
		 "services:\n  web:\n    image: x\n    depends_on: [db]\n"
		 "  db:\n    image: x\n    profiles: [db]\n");
	lt_load(&t);
	cr_assert_eq(t.rc, 0);
	lt_expect(&t, "'db' is not enabled", 4, 18);
}

Test(compose_load, optional_dependency_on_disabled_service_is_dropped)
{
	lt_ok(&t, "services:\n  web:\n    image: x\n    depends_on:\n"
		  "      db:\n        condition: service_started\n"
		  "        required: false\n"
		  "  db:\n    image: x\n    profiles: [db]\n");
	cr_assert_eq(lt_svc(&t, "web")->n_depends_on, 0);
}

/* ---- include ---------------------------------------------------------- */

Test(compose_load, include_loads_a_sub_project)
{
	t.o.cwd = FIXTURE("compose/load_include");
	lt_ok(&t, NULL);
	const struct compose_service *db = lt_svc(&t, "db");

	cr_assert_str_eq(db->image, "postgres:16"); /* its own .env */
	cr_assert(strstr(db->volumes[0].source, "load_include/inc/conf"));
	cr_assert_str_eq(env_of(db, "DB_USER"), "admin");
	cr_assert_not_null(compose_network_find(t.p, "backend"));
	cr_assert_str_eq(t.p->name, "load_include");
}

Test(compose_load, include_string_form_and_parent_env_wins)
{
	lt_write(&t, "compose.yaml",
		 "include:\n  - lib/db.yaml\n"
		 "services:\n  web:\n    image: w\n");
	lt_write(&t, "lib/db.yaml",
		 "services:\n  db:\n    image: \"pg:${V}\"\n");
	lt_write(&t, "lib/.env", "V=from-lib\n");
	lt_env(&t, "V=from-shell");
	lt_ok(&t, NULL);
	cr_assert_str_eq(lt_svc(&t, "db")->image, "pg:from-shell");
}

Test(compose_load, include_long_form_env_file_and_project_directory)
{
	lt_write(
		&t, "compose.yaml",
		"include:\n  - path: lib/db.yaml\n    project_directory: proj\n"
		"    env_file: lib/custom.env\n");
	lt_write(&t, "lib/db.yaml",
		 "services:\n  db:\n    image: \"pg:${V}\"\n"
		 "    volumes: [\"./data:/data\"]\n");
	lt_write(&t, "lib/custom.env", "V=custom\n");
	lt_ok(&t, NULL);
	cr_assert_str_eq(lt_svc(&t, "db")->image, "pg:custom");
	cr_assert(strstr(lt_svc(&t, "db")->volumes[0].source, "/proj/data"));
}

Test(compose_load, include_conflict_is_an_error)
{
	lt_write(&t, "compose.yaml",
		 "include:\n  - lib.yaml\n"
		 "services:\n  db:\n    image: mine\n");
	lt_write(&t, "lib.yaml", "services:\n  db:\n    image: theirs\n");
	cr_assert_eq(lt_load(&t), DIAG_EMODEL);
	cr_assert(strstr(t.err.msg, "services.db"));
	cr_assert_eq(t.err.loc.line, 4);
	cr_assert_eq(t.err.loc.col, 3);
}

Test(compose_load, include_missing_file_is_an_error)
{
	lt_write(&t, "compose.yaml", "include:\n  - nope.yaml\n");
	cr_assert_eq(lt_load(&t), DIAG_EIO);
	cr_assert(strstr(t.err.msg, "nope.yaml"));
}

/* ---- extends ---------------------------------------------------------- */

Test(compose_load, extends_same_file_merges)
{
	t.o.cwd = FIXTURE("compose/load_extends");
	lt_ok(&t, NULL);
	const struct compose_service *c = lt_svc(&t, "child");

	cr_assert_str_eq(c->image, "busybox");
	cr_assert_str_eq(env_of(c, "A"), "1");
	cr_assert_str_eq(env_of(c, "B"), "2");
	cr_assert_eq(c->n_ports, 2);
	cr_assert_null(compose_map_get(c->node, "extends"));
}

Test(compose_load, extends_follows_chains)
{
	t.o.cwd = FIXTURE("compose/load_extends");
	lt_ok(&t, NULL);
	const struct compose_service *g = lt_svc(&t, "grandchild");

	cr_assert_str_eq(env_of(g, "B"), "2");
	cr_assert_eq(g->n_ports, 2);
	cr_assert_str_eq(g->command.v[1], "hi");
}

Test(compose_load, extends_other_file_keeps_its_paths)
{
	t.o.cwd = FIXTURE("compose/load_extends");
	lt_ok(&t, NULL);
	const struct compose_service *r = lt_svc(&t, "remote");

	cr_assert_str_eq(r->image, "overridden");
	cr_assert(strstr(r->volumes[0].source, "load_extends/base/shared"));
	cr_assert(strstr(r->build->context, "load_extends/base/ctx"));
	cr_assert_str_eq(env_of(r, "COMMON"), "1");
}

Test(compose_load, extends_cycle_is_an_error)
{
	lt_write(&t, "compose.yaml",
		 "services:\n  a:\n    image: x\n    extends: b\n"
		 "  b:\n    image: x\n    extends:\n      service: a\n");
	cr_assert_eq(lt_load(&t), DIAG_EMODEL);
	cr_assert(strstr(t.err.msg, "circular"), "%s", t.err.msg);
	cr_assert(strstr(t.err.msg, "a -> b -> a"), "%s", t.err.msg);
	cr_assert_eq(t.err.loc.line, 8);
	cr_assert_eq(t.err.loc.col, 16);
}

Test(compose_load, extends_unknown_service_is_an_error)
{
	lt_write(&t, "compose.yaml",
		 "services:\n  a:\n    image: x\n    extends: ghost\n");
	cr_assert_eq(lt_load(&t), DIAG_ENOTFOUND);
	cr_assert(strstr(t.err.msg, "'ghost'"));
	cr_assert_eq(t.err.loc.line, 4);
	cr_assert_eq(t.err.loc.col, 14);
}

Test(compose_load, extends_reset_drops_inherited_ports)
{
	lt_ok(&t, "services:\n  base:\n    image: x\n    ports: [\"80:80\"]\n"
		  "  child:\n    extends: base\n    ports: !reset []\n");
	cr_assert_eq(lt_svc(&t, "child")->n_ports, 0);
	cr_assert_eq(lt_svc(&t, "base")->n_ports, 1);
}

Test(compose_load, extends_many_services)
{
	struct sbuf sb = SBUF_INIT;

	sbuf_adds(&sb,
		  "services:\n  base:\n    image: b\n    environment: [B=1]\n");
	for (int i = 0; i < 2000; i++)
		sbuf_addf(
			&sb,
			"  s%d:\n    extends: base\n    environment: [I=%d]\n",
			i, i);
	lt_ok(&t, sb.buf);
	sbuf_release(&sb);
	cr_assert_eq(t.p->n_services, 2001);
	cr_assert_str_eq(env_of(lt_svc(&t, "s1999"), "B"), "1");
	cr_assert_str_eq(env_of(lt_svc(&t, "s1999"), "I"), "1999");
	cr_assert_str_eq(lt_svc(&t, "s7")->image, "b");
}
