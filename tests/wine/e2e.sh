#!/usr/bin/env bash
# End to end under wine (called by scripts/test-wine.sh, WINEPREFIX set):
# samples/lab with "linux" on a named pipe and "windows" on loopback TCP.
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
pipe=mixlab-linux-$$
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
leftovers() {
	local f
	f=$(jq -rn --arg p "$proj" '{label: ["com.docker.compose.project=\($p)"]} | @uri')
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
