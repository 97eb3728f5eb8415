/* plan_graph_network_*: the network picture, from the plan. */
#include <criterion/criterion.h>
#include <string.h>

#include "tests/planner/model_util.h"
#include "util/arena.h"

static struct plan_host hosts[2];

static void setup(void)
{
	hosts[0] = mu_host("linux", "linux", "amd64");
	hosts[1] = mu_host("windows", "windows", "amd64");
	hosts[0].version = "20.10.24";
	hosts[0].endpoint = "tcp://192.168.50.4:2376";
	hosts[1].version = "26.1.5";
	hosts[1].endpoint = "ssh://admin@winhost";
	hosts[0].api_major = hosts[1].api_major = 1;
	hosts[0].api_minor = 41;
	hosts[1].api_minor = 45;
}

/* nginx on linux publishing 8080 -> 80, depending on app on windows. */
static struct plan *mixed(struct compose_project **pp,
			  const struct plan_options *o)
{
	struct compose_project *p = mu_project("shop");
	struct compose_service *nginx = mu_service(p, "nginx");
	struct compose_service *app = mu_service(p, "app");
	struct compose_port *pt = arena_calloc(p->arena, 1, sizeof(*pt));
	struct plan *pl = NULL;
	struct diag err = {0};

	mu_platform(p, nginx, "linux");
	mu_platform(p, app, "windows");
	mu_depends(p, nginx, "app", NULL, 20);
	pt->target = 80;
	pt->published = "8080";
	pt->protocol = "tcp";
	nginx->ports = pt;
	nginx->n_ports = 1;
	mu_done(p);
	cr_assert_eq(plan_build(&pl, p, hosts, 2, o, &err), 0, "%s", err.msg);
	*pp = p;
	return pl;
}

static bool has(const struct sbuf *sb, const char *s)
{
	return strstr(sb->buf, s) != NULL;
}

Test(planner_graph_net, mermaid_shows_daemons_subnets_addresses_and_names,
     .init = setup)
{
	struct compose_project *p;
	struct plan *pl = mixed(&p, NULL);
	struct sbuf sb = SBUF_INIT;

	plan_graph_network_mermaid(&sb, pl);
	cr_assert(has(&sb, "flowchart LR\n"));
	/* Each daemon: its host, OS, engine version and API. */
	cr_assert(has(&sb, "subgraph d0[\"daemon linux<br/>host: 192.168.50.4"
			   "<br/>OS linux/amd64, engine 20.10.24, API 1.41"),
		  "%s", sb.buf);
	cr_assert(has(&sb, "host: winhost<br/>OS windows/amd64, engine 26.1.5, "
			   "API 1.45"));
	/* Its network with the subnet the planner gave it. */
	cr_assert(has(&sb, "n0{{\"network shop_default<br/>172.30.0.0/24 gw "
			   "172.30.0.1"),
		  "%s", sb.buf);
	cr_assert(has(&sb, "n1{{\"network shop_default<br/>172.30.1.0/24"));
	/* The container, its published port and the name it gets for app. */
	cr_assert(has(&sb, "[\"shop-nginx-1<br/>planned: create<br/>ports "
			   "8080->80/tcp<br/>hosts: app -> 172.30.1.2"),
		  "%s", sb.buf);
	/* Its address on the network, and the route between the copies. */
	cr_assert(has(&sb, "|\"172.30.0.2\"| n0\n"));
	cr_assert(has(&sb, "n0 <==>|\"routed: 172.30.0.0/24 <-> "
			   "172.30.1.0/24\"| n1\n"));
	sbuf_release(&sb);
	plan_free(pl);
	mu_free(p);
}

Test(planner_graph_net, dot_draws_the_same_picture, .init = setup)
{
	struct compose_project *p;
	struct plan *pl = mixed(&p, NULL);
	struct sbuf sb = SBUF_INIT;

	plan_graph_network_dot(&sb, pl);
	cr_assert(has(&sb, "graph \"shop\" {\n"));
	cr_assert(has(&sb, "subgraph cluster_d1 {\n    label=\"daemon windows\\n"
			   "host: winhost\\n"),
		  "%s", sb.buf);
	cr_assert(has(&sb, "n0 [label=\"network shop_default\\n172.30.0.0/24 "
			   "gw 172.30.0.1"));
	cr_assert(has(&sb, "hosts: app -> 172.30.1.2"));
	cr_assert(has(&sb, "n0 -- n1 [label=\"routed: 172.30.0.0/24 <-> "
			   "172.30.1.0/24\", style=\"dashed,bold\""));
	cr_assert(has(&sb, "c0 -- n1 [label=\"172.30.1.2\"];\n") ||
		  has(&sb, "c1 -- n1 [label=\"172.30.1.2\"];\n"));
	sbuf_release(&sb);
	plan_free(pl);
	mu_free(p);
}

Test(planner_graph_net, host_mode_routes_through_the_host_address,
     .init = setup)
{
	struct plan_options o = {.address_mode = PLAN_ADDR_HOST,
				 .host_address = "192.168.50.1"};
	struct compose_project *p;
	struct plan *pl = mixed(&p, &o);
	struct sbuf sb = SBUF_INIT;

	plan_graph_network_mermaid(&sb, pl);
	cr_assert(has(&sb, "host mode: peers via 192.168.50.1, published "
			   "ports"),
		  "%s", sb.buf);
	sbuf_release(&sb);
	plan_free(pl);
	mu_free(p);
}

Test(planner_graph_net, live_state_shows_the_running_containers_address,
     .init = setup)
{
	struct compose_project *p;
	struct plan *pl;
	struct arena *a = arena_new();
	struct plan_host_container *c;
	struct sbuf sb = SBUF_INIT;

	hosts[0].offline = false;
	mu_host_net(a, &hosts[0], "shop_default", "172.30.7.0/24", "shop");
	c = mu_host_ctr(a, &hosts[0], "shop-nginx-1", "nginx", 1, NULL,
			"running");
	mu_ctr_net(a, c, "shop_default", "172.30.7.9");
	pl = mixed(&p, NULL);
	plan_graph_network_mermaid(&sb, pl);
	/* The daemon's own subnet and the address the container has now. */
	cr_assert(has(&sb, "172.30.7.0/24"), "%s", sb.buf);
	cr_assert(has(&sb, "(live)"));
	sbuf_release(&sb);
	plan_free(pl);
	mu_free(p);
	arena_free(a);
}
