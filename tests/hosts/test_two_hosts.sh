#!/usr/bin/env bash
# The lab as two hosts (issue 11, items 1 and 2), for real: two dockerd of
# two engine versions (host a: Debian 12's 20.10, API 1.41; host b: trixie's
# 26.1, API 1.45) in two network namespaces joined by a veth link
# (lab/hosts.sh).  It checks that
#   - `mixcompose daemons` negotiates each daemon's own API version, and
#     up, exec and down work on each engine;
#   - address mode `container`: NGINX on host a serves the web app's page
#     from host b by service name, through routes between the hosts'
#     container subnets (`lab/hosts.sh routes`: a route per peer subnet,
#     one DOCKER-USER rule per subnet pair, no NAT between them), and not
#     without those routes;
#   - address mode `host`, each daemon with its own host address
#     (x-mixcompose.daemons.<name>.host_address): web's name resolves to
#     host b's address and nginx's to host a's; the page comes through
#     web's published port, and back from host b through nginx's;
#   - `lab/hosts.sh down` leaves no namespace, veth, mount, directory,
#     daemon process or cgroup, and nothing in the root namespace: no
#     interface in the hosts' ranges, no orphan veth pair.
# Traffic goes only to the namespaces' own addresses.
# usage: tests/hosts/test_two_hosts.sh [BUILD_DIR]      (root; ctest -L hosts)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
mc=$build/mixcompose
hosts=$top/lab/hosts.sh
work=$(mktemp -d)
pass=0 fail=0
t0=$(date +%s)

ok() { echo "ok - $*"; pass=$((pass + 1)); }
bad() { echo "not ok - $*"; fail=$((fail + 1)); }
check() { # DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then ok "$what"; else bad "$what"; fi
}

cleanup() {
	local rc=$?
	for p in c h; do
		[ -f "$work/$p/compose.yaml" ] &&
			(cd "$work/$p" && "$mc" down -t 0 >/dev/null 2>&1 || true)
	done
	"$hosts" down >/dev/null 2>&1 || rc=1
	rm -rf "$work"
	if ! "$hosts" left; then
		echo "not ok - lab/hosts.sh down left something behind"
		rc=1
	fi
	echo "two hosts: $(($(date +%s) - t0)) s"
	exit "$rc"
}
trap cleanup EXIT

# The daemon map is the compose file's own (x-mixcompose.daemons, the two
# namespace hosts).  MIXCOMPOSE_DAEMON_* outrank it, so a shell that ran
# `eval "$(lab/mixlab env)"` would send the projects to the shared lab's
# daemons in the root namespace: nginx's port on 10.231.0.1 then fails
# ("cannot assign requested address") and the project's 10.234 network
# becomes a bridge of the root namespace.
while read -r v; do unset "$v"; done < <(compgen -e | grep '^MIXCOMPOSE_DAEMON_' || true)
unset DOCKER_HOST DOCKER_CONTEXT

eval "$("$hosts" env)"
"$hosts" down >/dev/null 2>&1 || true
"$hosts" up

# project DIR NAME MODE: the lab sample on the two hosts; NGINX (linux,
# host a) publishes on host a's address, web (windows, host b) on all of
# host b's in host mode, where each daemon has its host address.
project() {
	local dir=$1 name=$2 mode=$3 wport= ha= hb=
	mkdir -p "$dir"
	cp "$top/samples/lab/nginx.conf" "$dir/"
	if [ "$mode" = host ]; then
		wport='ports: ["8080:8080"]'
		ha=", host_address: $HOSTS_A_ADDR"
		hb=", host_address: $HOSTS_B_ADDR"
	fi
	cat >"$dir/compose.yaml" <<-YAML
	name: $name
	x-mixcompose:
	  daemons:
	    linux: { endpoint: "unix://$HOSTS_A_SOCK", os: linux$ha }
	    windows: { endpoint: "unix://$HOSTS_B_SOCK", os: windows, lab: true$hb }
	  address_pool: $HOSTS_ROUTED
	  address_mode: $mode
	services:
	  nginx:
	    image: local/nginx:lab
	    platform: linux
	    ports: ["$HOSTS_A_ADDR:8080:80"]
	    volumes: ["./nginx.conf:/etc/nginx/nginx.conf:ro"]
	    depends_on: { web: { condition: service_healthy } }
	  web:
	    image: local/webapp:lab
	    platform: windows
	    $wport
	    environment: { SERVICE_NAME: web, PLATFORM: windows/amd64 }
	    healthcheck:
	      test: ["CMD-SHELL", "printf 'GET /healthz HTTP/1.0\\\\r\\\\n\\\\r\\\\n' | nc -w 2 127.0.0.1 8080 | grep -q '^ok'"]
	      interval: 1s
	      timeout: 3s
	      retries: 20
	YAML
}

# page: what NGINX on host a answers, asked from host a's namespace.
page() {
	nsenter --net="$HOSTS_A_NETNS" curl -s --max-time 10 \
		"http://$HOSTS_A_ADDR:8080/" 2>/dev/null || true
}
page_wait() {
	local i p
	for ((i = 0; i < 30; i++)); do
		p=$(page)
		case $p in *"service: web"*) break ;; esac
		sleep 1
	done
	printf '%s\n' "$p"
}
mcp() { # DIR ARGS...: mixcompose in a project's directory
	local d=$1
	shift
	(cd "$d" && "$mc" "$@")
}

# ---- two engine versions, negotiated -----------------------------------
project "$work/c" mixhostc container
mcp "$work/c" daemons --format json >"$work/daemons.json"
for h in a b; do
	sock=HOSTS_${h^^}_SOCK
	want=$(curl -s --unix-socket "${!sock}" http://hosts/version | jq -r .ApiVersion)
	name=$([ "$h" = a ] && echo linux || echo windows)
	got=$(jq -r --arg n "$name" '.[] | select(.name == $n) | .api_version' "$work/daemons.json")
	check "daemons: $name (host $h) speaks API $got, the daemon's own ($want)" \
		test "$got" = "$want"
done
check "daemons: linux (host a) is engine 20.10, API 1.41" \
	jq -e '.[] | select(.name == "linux") | .server_version | startswith("20.10.") ' "$work/daemons.json"
check "daemons: windows (host b) is engine 26.1, API 1.45" \
	jq -e '.[] | select(.name == "windows") | (.server_version | startswith("26.1.")) and .api_version == "1.45"' "$work/daemons.json"

# ---- address mode container: routes between the hosts' subnets ---------
check "container mode: up on both engines" mcp "$work/c" up -d --wait
on_host() { # SOCK PROJECT SERVICE: the service's container runs on that daemon
	[ -n "$(docker -H "unix://$1" ps -q --filter "label=com.docker.compose.project=$2" \
		--filter "label=com.docker.compose.service=$3")" ]
}
check "container mode: nginx runs on host a, web on host b (the file's daemons)" \
	eval 'on_host "$HOSTS_A_SOCK" mixhostc nginx && on_host "$HOSTS_B_SOCK" mixhostc web'
check "exec on host a (20.10): nginx's hostname" \
	test -n "$(mcp "$work/c" exec -T nginx hostname)"
check "exec on host b (26.1): web's environment" \
	test "$(mcp "$work/c" exec -T web sh -c 'echo $SERVICE_NAME')" = web
web_ip=$(mcp "$work/c" exec -T nginx sh -c "grep -w web /etc/hosts | cut -f1 | head -n 1" | tr -d '[:space:]')
check "container mode: web resolves to its container address ($web_ip)" \
	test "${web_ip%.*}" != "${HOSTS_B_ADDR%.*}"
p=$(page)
check "container mode: no page before the hosts route each other's subnets" \
	eval "! grep -q '^service: web\$' <<<\"\$p\""
"$hosts" routes
p=$(page_wait)
check "container mode: NGINX on host a serves web's page from host b by name" \
	grep -q '^service: web$' <<<"$p"
check "container mode: the page says the platform the file gave web" \
	grep -q '^platform: windows/amd64$' <<<"$p"
# Routed, not masqueraded: host b's rule for (a's subnet -> b's subnet)
# on the link counted the packets.
n=$(nsenter --net="$HOSTS_B_NETNS" iptables -L DOCKER-USER -v -n -x |
	awk '/mixhosts-route/ && $1 > 0 { n++ } END { print n + 0 }')
check "container mode: traffic came routed with a's container source address" \
	test "$n" -gt 0
check "container mode: down" mcp "$work/c" down -t 0
"$hosts" routes

# ---- address mode host: the other host's address, published ports ------
project "$work/h" mixhosth host
check "host mode: up on both engines" mcp "$work/h" up -d --wait
check "host mode: on host a, web resolves to host b's address" \
	test "$(mcp "$work/h" exec -T nginx sh -c "grep -w web /etc/hosts | cut -f1 | head -n 1" | tr -d '[:space:]')" = "$HOSTS_B_ADDR"
check "host mode: on host b, nginx resolves to host a's address" \
	test "$(mcp "$work/h" exec -T web sh -c "grep -w nginx /etc/hosts | cut -f1 | head -n 1" | tr -d '[:space:]')" = "$HOSTS_A_ADDR"
p=$(page_wait)
check "host mode: NGINX on host a serves web's page through host b's published port" \
	grep -q '^service: web$' <<<"$p"
# Back the other way: web on host b asks nginx by name, that is host a's
# address and nginx's published port, and gets its own page through it.
# (busybox nc stops reading at the end of its input: keep it open.)
p=$(mcp "$work/h" exec -T web sh -c "(printf 'GET / HTTP/1.0\r\nHost: web\r\n\r\n'; sleep 5) | nc -w 10 nginx 8080" || true)
check "host mode: web on host b reaches nginx on host a by name (published port)" \
	grep -q '^service: web' <<<"$p"
check "host mode: down" mcp "$work/h" down -t 0
for h in A B; do
	sock=HOSTS_${h}_SOCK
	check "nothing of the projects left on host ${h,}" test -z "$(docker -H "unix://${!sock}" ps -aq --filter label=com.docker.compose.project)$(docker -H "unix://${!sock}" network ls -q --filter label=com.docker.compose.project)"
done

echo "two hosts: $pass passed, $fail failed"
[ "$fail" = 0 ]
