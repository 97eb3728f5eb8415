/*
 * The fault suite: what mixcompose does when daemons die, stop or race,
 * on real daemons.  A case that kills, stops or restarts a daemon starts
 * daemons of its own (lab/mixlab scratch-up: own socket, roots, pidfile,
 * no bridge, no iptables rules) and removes them afterwards, so the
 * shared lab's daemons are never touched; the other cases run on the lab
 * with projects of their own.  Each case states its limits: the time it
 * gives up after, the exit status, the message naming the daemon, and
 * what is left on each daemon.
 *
 * Scratch projects plan their subnets from 172.27.200.0/22, away from the
 * lab range, so that their bridges never shadow a lab network's route.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lab_util.h"
#include "util/sbuf.h"

#define N_SERVICES 16
/* Every up/down here must end within this, or the case fails. */
#define GIVE_UP_S 240

static struct lab_project P;
static struct lab_scratch S[2];

static void setup(void)
{
	cr_assert(lab_ready(), "the lab is not running: lab/mixlab up");
}

static void fini(void)
{
	if (P.name[0]) {
		/* Scratch daemons go whole, with every container on them. */
		if (!S[0].name[0])
			cr_expect_eq(lab_project_fini(&P), 0,
				     "project %s left objects", P.name);
		else if (P.dir[0])
			lab_sh(NULL, "rm -rf '%s'", P.dir);
		lab_docker(NULL, LAB_WINDOWS_SOCK,
			   "network rm %s-squat >/dev/null 2>&1", P.name);
	}
	for (size_t i = 0; i < 2; i++)
		lab_scratch_down(&S[i]);
	memset(&P, 0, sizeof(P));
	lab_env();
}

TestSuite(integration_faults, .init = setup, .fini = fini, .timeout = 900);

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Writes DIR/compose.yaml: 'head' then 'n' sleeping busybox services. */
static void write_project(const char *head, int n, const char *svc_extra)
{
	struct sbuf y = SBUF_INIT;

	sbuf_adds(&y, head);
	sbuf_adds(&y, "services:\n");
	for (int i = 1; i <= n; i++)
		sbuf_addf(&y,
			  "  s%02d:\n    image: " LAB_IMAGE_BUSYBOX "\n"
			  "    command: [sleep, '3600']\n%s",
			  i, svc_extra ? svc_extra : "");
	cr_assert_eq(lab_project_write(&P, y.buf), 0, "%s", P.dir);
	sbuf_release(&y);
}

/* Points mixcompose at scratch daemons only, named as in S[]. */
static void scratch_env(size_t n)
{
	unsetenv("MIXCOMPOSE_DAEMON_LINUX");
	unsetenv("MIXCOMPOSE_DAEMON_WINDOWS");
	for (size_t i = 0; i < n; i++) {
		char var[64], val[400];

		snprintf(var, sizeof(var), "MIXCOMPOSE_DAEMON_%s",
			 i ? "B" : "A");
		snprintf(val, sizeof(val), "%s,os=linux", S[i].url);
		setenv(var, val, 1);
	}
}

static void scratch(size_t i, const char *tag)
{
	struct sbuf out = SBUF_INIT;
	char name[24];

	snprintf(name, sizeof(name), "%s%ld", tag, (long)getpid() % 1000000);
	cr_assert_eq(lab_scratch_up(&S[i], name, &out), 0,
		     "lab/mixlab scratch-up %s:\n%s", name, out.buf);
	sbuf_release(&out);
}

/* Containers of the project on a daemon's socket, all or running only. */
static int count(const char *sock, bool running)
{
	struct sbuf out = SBUF_INIT;
	int n = 0;

	if (lab_docker(&out, sock,
		       "ps -q%s --filter label=com.docker.compose.project=%s",
		       running ? "" : "a", P.name)) {
		sbuf_release(&out);
		return -1;
	}
	for (size_t k = 0; k < out.len; k++)
		n += out.buf[k] == '\n';
	sbuf_release(&out);
	return n;
}

/*
 * Starts `mixcompose -p NAME ARGS...` in the project's directory with its
 * output in DIR/LOG; returns its pid.
 */
static pid_t spawn(const char *log, const char *const *args)
{
	pid_t pid = fork();

	cr_assert_neq(pid, -1);
	if (!pid) {
		char path[300];
		const char *argv[16] = {MIXCOMPOSE_BIN, "-p", P.name};
		size_t n = 3;

		snprintf(path, sizeof(path), "%s/%s", P.dir, log);
		if (chdir(P.dir) || !freopen(path, "w", stdout) ||
		    dup2(1, 2) < 0)
			_exit(126);
		for (; *args && n < 15; args++)
			argv[n++] = *args;
		execv(MIXCOMPOSE_BIN, (char *const *)argv);
		_exit(127);
	}
	return pid;
}

/* Waits for 'pid' up to GIVE_UP_S; its exit status, 128+N for signal N. */
static int reap(pid_t pid)
{
	double t0 = now_s();
	int st;

	while (waitpid(pid, &st, WNOHANG) == 0) {
		if (now_s() - t0 > GIVE_UP_S) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			cr_assert_fail("mixcompose still ran after %d s",
				       GIVE_UP_S);
		}
		usleep(20000);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static char *slurp_log(const char *log)
{
	struct sbuf out = SBUF_INIT;

	lab_sh(&out, "cat '%s/%s'", P.dir, log);
	return sbuf_detach(&out, NULL);
}

/* ---- A daemon killed in the middle of up -------------------------------- */

/*
 * SIGKILL of the daemon about 1 s into `up -d` of 16 services: its
 * containerd shims outlive it, so the containers whose start was cut off
 * keep a task, and every start of them fails ("task ...: already
 * exists").  The second up must converge by itself: it plans again and
 * recreates them.
 */
Test(integration_faults, daemon_killed_mid_up_second_up_converges)
{
	const char *up[] = {"up", "-d", "--progress", "plain", NULL};
	struct sbuf out = SBUF_INIT;
	double t0, first_s, second_s;
	char *log;
	pid_t pid;
	int rc;

	cr_assert_eq(lab_project_init(&P, "ifault", "kill"), 0);
	scratch(0, "k");
	scratch_env(1);
	write_project("x-mixcompose: { address_pool: 172.27.200.0/24 }\n",
		      N_SERVICES, NULL);
	t0 = now_s();
	pid = spawn("up1.log", up);
	usleep(1000 * 1000);
	cr_assert_eq(lab_scratch_kill(&S[0], "KILL"), 0);
	rc = reap(pid);
	first_s = now_s() - t0;
	log = slurp_log("up1.log");
	/* Limit: the cut-off up ends within 30 s, naming the daemon. */
	cr_assert(rc == 1 || rc == 0, "rc %d:\n%s", rc, log);
	if (rc == 1)
		cr_expect(strstr(log, "daemon 'a'"), "%s", log);
	cr_expect_lt(first_s, 30.0, "the cut-off up took %.1f s", first_s);
	free(log);
	cr_assert_eq(lab_scratch_up(&S[0], S[0].name, &out), 0, "%s", out.buf);
	cr_log_info("faults: killed up rc %d after %.1f s; %d container(s) "
		    "left, %d running",
		    rc, first_s, count(S[0].sock, false),
		    count(S[0].sock, true));
	t0 = now_s();
	cr_assert_eq(lab_mc(&P, &out, "up -d --progress plain"), 0, "%s",
		     out.buf);
	second_s = now_s() - t0;
	cr_log_info("faults: the second up converged in %.1f s", second_s);
	cr_expect_eq(count(S[0].sock, true), N_SERVICES);
	cr_expect_eq(count(S[0].sock, false), N_SERVICES, "one set only");
	/* A third up has nothing left to do. */
	cr_assert_eq(lab_mc(&P, &out, "plan"), 0, "%s", out.buf);
	cr_expect(!strstr(out.buf, "  recreate ") &&
			  !strstr(out.buf, "  create "),
		  "%s", out.buf);
	cr_assert_eq(lab_mc(&P, &out, "down -t 0 --progress quiet"), 0, "%s",
		     out.buf);
	cr_expect_eq(count(S[0].sock, false), 0);
	sbuf_release(&out);
}

/* ---- A daemon stopped during down --------------------------------------- */

/*
 * Three services on daemon a and three on b; their PID 1 ignores SIGTERM,
 * so down waits its -t 4 for each.  b is stopped (SIGTERM) 1.5 s into
 * down: down still removes everything on a, fails naming b, and a later
 * down, once b is back, removes the rest.
 */
Test(integration_faults, daemon_stopped_during_down_later_down_finishes)
{
	const char *down[] = {"down", "-t", "4", "--progress", "plain", NULL};
	struct sbuf y = SBUF_INIT, out = SBUF_INIT;
	double t0, down_s;
	char *log;
	int rc;

	cr_assert_eq(lab_project_init(&P, "ifault", "down"), 0);
	scratch(0, "da");
	scratch(1, "db");
	scratch_env(2);
	sbuf_adds(&y, "x-mixcompose: { address_pool: 172.27.202.0/23 }\n"
		      "services:\n");
	for (int i = 0; i < 6; i++)
		sbuf_addf(&y,
			  "  s%d:\n    image: " LAB_IMAGE_BUSYBOX "\n"
			  "    command: [sleep, '3600']\n"
			  "    x-mixcompose: { daemon: %s }\n",
			  i, i < 3 ? "a" : "b");
	cr_assert_eq(lab_sh(NULL, "cat > '%s/compose.yaml' <<'EOF'\n%sEOF",
			    P.dir, y.buf),
		     0);
	cr_assert_eq(lab_mc(&P, &out, "up -d --progress quiet"), 0, "%s",
		     out.buf);
	cr_assert_eq(count(S[0].sock, true), 3);
	cr_assert_eq(count(S[1].sock, true), 3);
	t0 = now_s();
	{
		pid_t pid = spawn("down1.log", down);

		usleep(1500 * 1000);
		cr_assert_eq(lab_scratch_kill(&S[1], "TERM"), 0);
		rc = reap(pid);
	}
	down_s = now_s() - t0;
	log = slurp_log("down1.log");
	cr_log_info("faults: down with b stopping: rc %d in %.1f s; %d "
		    "container(s) left on a",
		    rc, down_s, count(S[0].sock, false));
	/* Limits: rc 1 naming b, a emptied, no hang. */
	cr_expect_eq(rc, 1, "%s", log);
	cr_expect(strstr(log, "'b'"), "%s", log);
	cr_expect_eq(count(S[0].sock, false), 0, "a must be emptied:\n%s", log);
	free(log);
	cr_assert_eq(lab_scratch_up(&S[1], S[1].name, &out), 0, "%s", out.buf);
	cr_log_info("faults: after the restart b still has %d container(s)",
		    count(S[1].sock, false));
	cr_assert_eq(lab_mc(&P, &out, "down -t 0 --progress plain"), 0, "%s",
		     out.buf);
	cr_expect_eq(count(S[0].sock, false), 0);
	cr_expect_eq(count(S[1].sock, false), 0);
	sbuf_reset(&out);
	cr_assert_eq(lab_docker(&out, S[1].sock,
				"network ls -q --filter "
				"label=com.docker.compose.project=%s",
				P.name),
		     0);
	cr_expect_eq(out.len, 0, "networks left on b: %s", out.buf);
	sbuf_release(&y);
	sbuf_release(&out);
}

/* ---- SIGINT and SIGTERM during up --------------------------------------- */

static void interrupted_up(int sig, int want_rc)
{
	const char *up[] = {"up", "-d", "--progress", "plain", NULL};
	struct sbuf out = SBUF_INIT;
	double t0, stop_s;
	char *log;
	pid_t pid;
	int rc;

	t0 = now_s();
	pid = spawn("up-int.log", up);
	usleep(1000 * 1000);
	kill(pid, sig);
	rc = reap(pid);
	stop_s = now_s() - t0;
	log = slurp_log("up-int.log");
	if (rc != 0) {
		/* Limits: 128 + signal, within 90 s, what is left stated. */
		cr_expect_eq(rc, want_rc, "%s", log);
		cr_expect(strstr(log, "interrupted"), "%s", log);
		cr_expect(strstr(log, "up") && strstr(log, "down"),
			  "the message says how to go on: %s", log);
	}
	cr_expect_lt(stop_s, 90.0, "the interrupted up took %.1f s", stop_s);
	cr_log_info("faults: signal %d: rc %d after %.1f s, %d of %d "
		    "containers left (%d running)",
		    sig, rc, stop_s, count(S[0].sock, false), N_SERVICES,
		    count(S[0].sock, true));
	free(log);
	cr_assert_eq(lab_mc(&P, &out, "up -d --progress quiet"), 0, "%s",
		     out.buf);
	cr_expect_eq(count(S[0].sock, true), N_SERVICES);
	cr_expect_eq(count(S[0].sock, false), N_SERVICES);
	cr_assert_eq(lab_mc(&P, &out, "down -t 0 --progress quiet"), 0, "%s",
		     out.buf);
	cr_expect_eq(count(S[0].sock, false), 0);
	sbuf_release(&out);
}

Test(integration_faults, sigint_and_sigterm_during_up)
{
	cr_assert_eq(lab_project_init(&P, "ifault", "sig"), 0);
	scratch(0, "sg");
	scratch_env(1);
	write_project("x-mixcompose: { address_pool: 172.27.204.0/24 }\n",
		      N_SERVICES, NULL);
	interrupted_up(SIGINT, 130);
	interrupted_up(SIGTERM, 143);
}

/* ---- Three concurrent ups of one project -------------------------------- */

/*
 * The same project three times at once on the two lab daemons: they race
 * for the same network and container names.  Each must exit 0 with one
 * set of containers.
 */
Test(integration_faults, three_concurrent_ups_of_one_project)
{
	const char *up[] = {"up", "-d", "--progress", "plain", NULL};
	pid_t pid[3];
	int total;

	cr_assert_eq(lab_project_init(&P, "ifault", "conc"), 0);
	cr_assert_eq(lab_sh(NULL,
			    "cat > '%s/compose.yaml' <<'EOF'\n"
			    "x-b: &b\n  image: " LAB_IMAGE_BUSYBOX "\n"
			    "  command: [sleep, '3600']\n"
			    "services:\n"
			    "  l1: *b\n  l2: *b\n"
			    "  w1: { <<: *b, platform: windows }\n"
			    "  w2: { <<: *b, platform: windows }\n"
			    "EOF",
			    P.dir),
		     0);
	for (int i = 0; i < 3; i++) {
		char log[32];

		snprintf(log, sizeof(log), "up%d.log", i);
		pid[i] = spawn(log, up);
	}
	for (int i = 0; i < 3; i++) {
		char log[32], *text;
		int rc = reap(pid[i]);

		snprintf(log, sizeof(log), "up%d.log", i);
		text = slurp_log(log);
		cr_expect_eq(rc, 0, "up %d:\n%s", i, text);
		free(text);
	}
	total = count(LAB_LINUX_SOCK, false) + count(LAB_WINDOWS_SOCK, false);
	cr_expect_eq(count(LAB_LINUX_SOCK, true), 2);
	cr_expect_eq(count(LAB_WINDOWS_SOCK, true), 2);
	cr_expect_eq(total, 4, "one set of containers, not %d", total);
	cr_expect_eq(lab_leftovers(P.name, "network"), 2,
		     "one network per daemon");
}

/* ---- A forced subnet move: names follow --------------------------------- */

static char *ip_of(const char *sock, const char *ctr)
{
	return lab_inspect(sock, ctr,
			   "{{range .NetworkSettings.Networks}}"
			   "{{.IPAddress}}{{end}}");
}

/* The first line of a's /etc/hosts that names b, in 'out'. */
static void hosts_line(struct sbuf *out, const char *name)
{
	cr_assert_eq(lab_mc(&P, out,
			    "exec -T a sh -c \"grep -w %s /etc/hosts | "
			    "head -n 1\"",
			    name),
		     0, "%s", out->buf);
}

/*
 * b's network copy on the windows daemon must move: it and b are removed
 * and another network takes its subnet there.  a, on linux, was created
 * with b's old address in ExtraHosts: plan says it is stale, up recreates
 * it, and its first line for b has the new address.
 */
static void move_b(char **old_ip)
{
	char b[96], net[96], *subnet;

	snprintf(b, sizeof(b), "%s-b-1", P.name);
	snprintf(net, sizeof(net), "%s_default", P.name);
	*old_ip = ip_of(LAB_WINDOWS_SOCK, b);
	cr_assert(*old_ip && **old_ip);
	subnet = lab_inspect(LAB_WINDOWS_SOCK, net,
			     "{{(index .IPAM.Config 0).Subnet}}");
	cr_assert_not_null(subnet);
	cr_assert_eq(lab_docker(NULL, LAB_WINDOWS_SOCK, "rm -f %s", b), 0);
	cr_assert_eq(lab_docker(NULL, LAB_WINDOWS_SOCK, "network rm %s", net),
		     0);
	cr_assert_eq(lab_docker(NULL, LAB_WINDOWS_SOCK,
				"network create --subnet %s %s-squat", subnet,
				P.name),
		     0);
	free(subnet);
}

Test(integration_faults, forced_subnet_move_names_follow)
{
	struct sbuf out = SBUF_INIT;
	char b[96], *old_ip, *new_ip;

	cr_assert_eq(lab_project_init(&P, "ifault", "move"), 0);
	cr_assert_eq(lab_sh(NULL,
			    "cat > '%s/compose.yaml' <<'EOF'\n"
			    "services:\n"
			    "  a:\n    image: " LAB_IMAGE_BUSYBOX "\n"
			    "    command: [sleep, '3600']\n"
			    "  b:\n    image: " LAB_IMAGE_BUSYBOX "\n"
			    "    platform: windows\n"
			    "    command: [sleep, '3600']\n"
			    "EOF",
			    P.dir),
		     0);
	snprintf(b, sizeof(b), "%s-b-1", P.name);
	cr_assert_eq(lab_mc(&P, &out, "up -d --progress quiet"), 0, "%s",
		     out.buf);
	move_b(&old_ip);
	cr_assert_eq(lab_mc(&P, &out, "plan"), 0, "%s", out.buf);
	cr_expect(strstr(out.buf, "host entries stale: b "), "%s", out.buf);
	cr_assert_eq(lab_mc(&P, &out, "up -d --progress plain"), 0, "%s",
		     out.buf);
	new_ip = ip_of(LAB_WINDOWS_SOCK, b);
	cr_assert(new_ip && *new_ip && strcmp(new_ip, old_ip), "%s -> %s",
		  old_ip, new_ip);
	hosts_line(&out, "b");
	cr_expect(!strncmp(out.buf, new_ip, strlen(new_ip)), "%s (want %s)",
		  out.buf, new_ip);
	/* And the name works: a reaches b across the daemons. */
	cr_expect_eq(lab_mc(&P, &out, "exec -T a ping -c 1 -W 3 b"), 0, "%s",
		     out.buf);
	cr_assert_eq(lab_mc(&P, &out, "plan"), 0, "%s", out.buf);
	cr_expect(!strstr(out.buf, "stale"), "%s", out.buf);
	free(old_ip);
	free(new_ip);
	/* Once more, kept stale by --no-recreate: hosts --sync repairs it. */
	lab_docker(NULL, LAB_WINDOWS_SOCK, "network rm %s-squat", P.name);
	move_b(&old_ip);
	cr_assert_eq(lab_mc(&P, &out, "up -d --no-recreate --progress quiet"),
		     0, "%s", out.buf);
	cr_assert_eq(lab_mc(&P, &out, "plan --no-recreate"), 0, "%s", out.buf);
	cr_expect(strstr(out.buf, "host entries stale, kept (--no-recreate)"),
		  "%s", out.buf);
	new_ip = ip_of(LAB_WINDOWS_SOCK, b);
	cr_assert_eq(lab_mc(&P, &out, "hosts --sync"), 0, "%s", out.buf);
	hosts_line(&out, "b");
	cr_expect(!strncmp(out.buf, new_ip, strlen(new_ip)), "%s (want %s)",
		  out.buf, new_ip);
	free(old_ip);
	free(new_ip);
	sbuf_release(&out);
}

/* ---- Two networks that share no member ---------------------------------- */

Test(integration_faults, networks_without_a_shared_member_share_no_name)
{
	struct sbuf out = SBUF_INIT;

	cr_assert_eq(lab_project_init(&P, "ifault", "scope"), 0);
	cr_assert_eq(lab_sh(NULL,
			    "cat > '%s/compose.yaml' <<'EOF'\n"
			    "services:\n"
			    "  a:\n    image: " LAB_IMAGE_BUSYBOX "\n"
			    "    command: [sleep, '3600']\n"
			    "    networks: [n1]\n"
			    "  b:\n    image: " LAB_IMAGE_BUSYBOX "\n"
			    "    platform: windows\n"
			    "    command: [sleep, '3600']\n"
			    "    networks: [n2]\n"
			    "  c:\n    image: " LAB_IMAGE_BUSYBOX "\n"
			    "    platform: windows\n"
			    "    command: [sleep, '3600']\n"
			    "    networks: [n1]\n"
			    "networks:\n  n1: {}\n  n2: {}\n"
			    "EOF",
			    P.dir),
		     0);
	cr_assert_eq(lab_mc(&P, &out, "up -d --progress quiet"), 0, "%s",
		     out.buf);
	/* a sees c (n1, across daemons), not b (n2 only). */
	cr_expect_eq(lab_mc(&P, &out, "exec -T a grep -qw b /etc/hosts"), 1,
		     "%s", out.buf);
	cr_expect_eq(lab_mc(&P, &out, "exec -T a grep -qw c /etc/hosts"), 0,
		     "%s", out.buf);
	cr_expect_neq(lab_mc(&P, &out, "exec -T a ping -c 1 -W 1 b"), 0,
		      "b must not resolve from a: %s", out.buf);
	cr_expect_eq(lab_mc(&P, &out, "exec -T a ping -c 1 -W 3 c"), 0, "%s",
		     out.buf);
	cr_expect_eq(lab_mc(&P, &out, "exec -T b grep -qw a /etc/hosts"), 1,
		     "%s", out.buf);
	cr_assert_eq(lab_mc_stdout(&P, &out, "hosts --format json"), 0);
	cr_expect(strstr(out.buf, "\"network\": \"n2\""), "%s", out.buf);
	sbuf_release(&out);
}
