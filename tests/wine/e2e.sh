#!/usr/bin/env bash
# End to end under wine (called by scripts/test-wine.sh, WINEPREFIX set):
#  1. samples/lab with "linux" on a named pipe and "windows" on loopback TCP;
#  2. Docker Desktop with zero configuration: %USERPROFILE%\.docker holds
#     the contexts desktop-linux and desktop-windows, each on a relay pipe,
#     and the file has no daemon map; then, with the Windows engine's relay
#     stopped, `daemons` and `up` name the stopped engine.
#   tests/wine/e2e.sh APP_DIR WORK_DIR LINUX_BIN
# socat relays 127.0.0.1:PORT to each lab daemon's unix socket; the
# mingw-built piperelay.exe, under the same wineserver, serves
# \\.\pipe\mixlab-linux-PID and forwards to the "linux" relay.  Every
# process is stopped by pid; the project is removed and checked gone.
set -euo pipefail
app=$1 work=$2 linux_bin=$3
top=$(cd "$(dirname "$0")/../.." && pwd)
wine=$(command -v wine64 || echo /usr/lib/wine/wine64)
proj=winx-$$
proj_desk=winx-$$-desktop
pipe=mixlab-linux-$$
pipe_win=mixlab-windows-$$
pids=()
t0=$(date +%s)

free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 40000))
		ss -ltnH "sport = :$p" | grep -q . || { echo "$p"; return; }
	done
}

# What is left of the project on a daemon (its unix socket): JSON arrays.
leftovers() { # SOCKET [PROJECT]
	local f
	f=$(jq -rn --arg p "${2:-$proj}" '{label: ["com.docker.compose.project=\($p)"]} | @uri')
	curl -sf --unix-socket "$1" "http://d/containers/json?all=1&filters=$f"
	curl -sf --unix-socket "$1" "http://d/networks?filters=$f"
}

win() { "$wine" "$app/mixcompose.exe" -p "$proj" -f "$work/proj/compose.yaml" \
	--daemon "linux=npipe:////./pipe//$pipe,os=linux" \
	--daemon "windows=tcp://127.0.0.1:$p_win,os=windows,lab=true" "$@"; }

cleanup() {
	local rc=$?
	if [ -n "${p_win:-}" ]; then
		win down -v -t 1 >/dev/null 2>&1 ||
			"$linux_bin" -p "$proj" -f "$work/proj/compose.yaml" down -v -t 1 \
				>/dev/null 2>&1 || true
	fi
	if [ -n "${desk_up:-}" ]; then
		"$linux_bin" -p "$proj_desk" -f "$work/desk/compose.yaml" \
			--daemon "linux=unix://$sock_lnx,os=linux" \
			--daemon "windows=unix://$sock_win,os=windows,lab=true" \
			down -v -t 1 >/dev/null 2>&1 || true
	fi
	rm -rf "${dcfg:-}"
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	echo "e2e under wine: $(($(date +%s) - t0)) s"
	exit "$rc"
}
trap cleanup EXIT

eval "$("$top/lab/mixlab" env)"
sock_lnx=/run/mixlab/linux.sock sock_win=/run/mixlab/windows.sock
p_lnx=$(free_port)
socat "TCP-LISTEN:$p_lnx,bind=127.0.0.1,reuseaddr,fork" "UNIX-CONNECT:$sock_lnx" &
pids+=($!)
p_win=$(free_port)
socat "TCP-LISTEN:$p_win,bind=127.0.0.1,reuseaddr,fork" "UNIX-CONNECT:$sock_win" &
pids+=($!)
"$wine" "$app/piperelay.exe" "$pipe" "$p_lnx" &
pids+=($!)
page=$(free_port)

mkdir -p "$work/proj"
cp "$top/samples/lab/nginx.conf" "$work/proj/"
# A free host port (the sample's MIXLAB_PORT, which wine passes on), and
# the config file by its Linux path: the "linux" daemon reads the bind
# source on this machine.
export MIXLAB_PORT=$page
sed -e "s|\./nginx.conf:|$work/proj/nginx.conf:|" \
	"$top/samples/lab/compose.yaml" >"$work/proj/compose.yaml"
grep -q 'MIXLAB_PORT' "$work/proj/compose.yaml" &&
	grep -q "$work/proj/nginx.conf:" "$work/proj/compose.yaml"

for i in $(seq 50); do
	win daemons >"$work/daemons.txt" 2>&1 && break
	sleep 0.2
done
cat "$work/daemons.txt"
grep -q "npipe:////./pipe//$pipe" "$work/daemons.txt"
grep -q "tcp://127.0.0.1:$p_win" "$work/daemons.txt"

echo "-- plan"
win plan >"$work/plan.txt"
grep -q 'nginx' "$work/plan.txt" && grep -q 'web' "$work/plan.txt"

echo "-- up -d --wait"
win up -d --wait
# nginx has no healthcheck: "Running" may come before it listens.
for i in $(seq 50); do
	body=$(curl -sf --max-time 10 "http://127.0.0.1:$page/") && break
	sleep 0.2
done
if [ -z "${body:-}" ]; then
	echo "no page on 127.0.0.1:$page:" >&2
	curl -sS --max-time 10 -i "http://127.0.0.1:$page/" >&2 || true
	win ps >&2 || true
	win logs --tail 20 >&2 || true
	exit 1
fi
echo "$body"
grep -q 'mixcompose lab webapp' <<<"$body"

echo "-- ps, logs"
win ps | tee "$work/ps.txt"
grep -q "$proj-nginx-1" "$work/ps.txt" && grep -q "$proj-web-1" "$work/ps.txt"
win logs --tail 20 nginx | tee "$work/logs.txt"
grep -q 'GET / ' "$work/logs.txt"

echo "-- exec -T, exec with stdin"
win exec -T nginx cat /etc/hosts | tee "$work/hosts.txt"
grep -Eq '[[:space:]]web$' "$work/hosts.txt"
got=$(printf 'through the pipe\n' | win exec -T nginx cat | tr -d '\r')
[ "$got" = "through the pipe" ] || { echo "exec stdin gave '$got'" >&2; exit 1; }
got=$(printf 'over tcp\n' | win exec -T web cat | tr -d '\r')
[ "$got" = "over tcp" ] || { echo "exec stdin gave '$got'" >&2; exit 1; }

echo "-- down"
win down -v -t 1
for s in "$sock_lnx" "$sock_win"; do
	left=$(leftovers "$s" | tr -d ' \n')
	[ "$left" = "[][]" ] || { echo "left on $s: $left" >&2; exit 1; }
done
echo "e2e: nothing left on either daemon"

echo "-- Docker Desktop: contexts in %USERPROFILE%\\.docker, no daemon map"
"$wine" "$app/piperelay.exe" "$pipe_win" "$p_win" &
relay_win=$!
pids+=($relay_win)
# Wine's %USERPROFILE% (it sets its own, whatever the environment says).
dcfg=$WINEPREFIX/drive_c/users/$(id -un)/.docker
rm -rf "$dcfg"
context() { # NAME PIPE LAB
	local hex
	hex=$(printf '%s' "$1" | sha256sum | cut -d' ' -f1)
	mkdir -p "$dcfg/contexts/meta/$hex"
	printf '{"Name":"%s","Metadata":{"Description":"test"%s},"Endpoints":{"docker":{"Host":"npipe:////./pipe/%s","SkipTLSVerify":false}}}' \
		"$1" "$3" "$2" >"$dcfg/contexts/meta/$hex/meta.json"
}
context desktop-linux "$pipe" ""
# The lab's stand-in reports linux: the context's lab flag allows it.
context desktop-windows "$pipe_win" ',"io.mixcompose.lab":true'
printf '{"currentContext":"desktop-linux"}' >"$dcfg/config.json"
mkdir -p "$work/desk"
cp "$work/proj/nginx.conf" "$work/desk/"
# samples/lab without its daemons: block (address pool and mode stay).
awk '/^  daemons:/ { skip = 1; next } skip && /^  [^ ]/ { skip = 0 } !skip' \
	"$work/proj/compose.yaml" | sed "s|$work/proj/nginx.conf:|$work/desk/nginx.conf:|" \
	>"$work/desk/compose.yaml"
! grep -q 'unix://' "$work/desk/compose.yaml"
desk() { env -u MIXCOMPOSE_DAEMON_LINUX -u MIXCOMPOSE_DAEMON_WINDOWS \
	-u DOCKER_HOST -u DOCKER_CONTEXT -u DOCKER_CONFIG \
	"$wine" "$app/mixcompose.exe" -p "$proj_desk" -f "$work/desk/compose.yaml" "$@"; }
for i in $(seq 50); do
	desk daemons >"$work/desk.txt" 2>&1 && break
	sleep 0.2
done
cat "$work/desk.txt"
grep -q "npipe:////./pipe/$pipe " "$work/desk.txt"
grep -q "npipe:////./pipe/$pipe_win" "$work/desk.txt"
grep -q "desktop" "$work/desk.txt"
desk_up=1
desk up -d --wait
# Each service on the engine its platform asks for.
ids() { curl -sf --unix-socket "$1" "http://d/containers/json?filters=$(jq -rn \
	--arg p "$proj_desk" --arg s "$2" '{label: ["com.docker.compose.project=\($p)",
	"com.docker.compose.service=\($s)"]} | @uri')" | jq length; }
[ "$(ids "$sock_lnx" nginx)" = 1 ] || { echo "nginx is not on the Linux engine" >&2; exit 1; }
[ "$(ids "$sock_win" web)" = 1 ] || { echo "web is not on the Windows engine" >&2; exit 1; }
for i in $(seq 50); do
	body=$(curl -sf --max-time 10 "http://127.0.0.1:$page/") && break
	sleep 0.2
done
grep -q 'service: web' <<<"${body:-}" || { echo "no page through nginx" >&2; exit 1; }
desk down -v -t 1
desk_up=

echo "-- Docker Desktop: the Windows engine stopped (its relay ended)"
kill "$relay_win"
wait "$relay_win" 2>/dev/null || true
desk daemons >"$work/desk.txt" 2>&1 || true
cat "$work/desk.txt"
grep -q "Docker Desktop's Windows engine is not running" "$work/desk.txt"
if desk up -d >"$work/desk.txt" 2>&1; then
	echo "up with a stopped engine succeeded" >&2
	exit 1
fi
cat "$work/desk.txt"
grep -q "Windows engine" "$work/desk.txt"
grep -q "pipe" "$work/desk.txt"
for s in "$sock_lnx" "$sock_win"; do
	left=$(leftovers "$s" "$proj_desk" | tr -d ' \n')
	[ "$left" = "[][]" ] || { echo "left on $s: $left" >&2; exit 1; }
done
echo "e2e: Docker Desktop discovery and a stopped engine; nothing left"
