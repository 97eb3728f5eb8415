#!/usr/bin/env bash
# Issue 14's benchmark, side by side in one run on the lab's daemons: the
# day-two commands `ps`, `ls`, `port`, `daemons`, `images`, `logs --tail 1`
# and a no-op `up -d`, with 1 daemon ("linux") and 2 ("linux" + "windows"),
# and 5 and 50 running containers in all, by
#   - mixcompose (build/mixcompose, or $MIXCOMPOSE),
#   - docker compose v2 (scripts/compose-v2.sh fetches it; one daemon only:
#     compose v2 talks to one; its no-op `up -d` runs on a project of its own,
#     since it would recreate mixcompose's containers),
#   - the floor: the requests the command needs, sent by one curl per daemon
#     on one connection (curl's own time_total of each, summed per daemon, the
#     slower daemon counts), plus the process start of a trivial C program.
# DAEMONS ("1 2") and SIZES ("5 50") choose the rows.
# Prints a Markdown table: medians of $RUNS runs (default 15) in ms, and the
# ratios; the target is mixcompose <= 1.5 x floor + 5 ms.
# TRANSPORTS=1 also compares `ps` over TLS (lab/mixlab tls-up; stopped again
# only if this script started it) and ssh (a throwaway sshd on a free
# loopback port) against $BASELINE (a mixcompose of before, if given).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
mc=${MIXCOMPOSE:-$top/build/mixcompose}
runs=${RUNS:-15}
lsock=/run/mixlab/linux.sock
wsock=/run/mixlab/windows.sock
api=v1.41
tmp=$(mktemp -d /tmp/mixday2.XXXXXX)
cv2=$(bash "$top/scripts/compose-v2.sh")
# The arch cache of this run only (it is filled by the first command).
export MIXCOMPOSE_CACHE_DIR=$tmp/cache
unset MIXCOMPOSE_DAEMON_LINUX MIXCOMPOSE_DAEMON_WINDOWS DOCKER_HOST

[ -S "$lsock" ] && [ -S "$wsock" ] || { echo "no lab: run lab/mixlab up" >&2; exit 1; }

cleanup() {
	local f
	for f in "$tmp"/p-*/compose.yaml; do
		[ -f "$f" ] && "$mc" -f "$f" down -t 0 >/dev/null 2>&1 || true
	done
	for f in "$tmp"/c-*/compose.yaml; do
		[ -f "$f" ] && DOCKER_HOST=unix://$lsock "$cv2" -f "$f" down -t 0 >/dev/null 2>&1 || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

printf 'int main(void) { return 0; }\n' >"$tmp/true.c"
cc -O2 -o "$tmp/true" "$tmp/true.c"

# A project of N busybox services over D daemons; s0 publishes port 80 on
# an ephemeral loopback port.
gen() { # dir name n d
	local dir=$1 name=$2 n=$3 d=$4 i plat
	mkdir -p "$dir"
	{
		echo "name: $name"
		echo "x-mixcompose:"
		echo "  daemons:"
		echo "    linux: { endpoint: \"unix://$lsock\", os: linux }"
		if [ "$d" = 2 ]; then
			echo "    windows: { endpoint: \"unix://$wsock\", os: windows, lab: true }"
		fi
		echo "services:"
		for ((i = 0; i < n; i++)); do
			plat=linux
			if [ "$d" = 2 ] && [ $((i % 2)) = 1 ]; then plat=windows; fi
			echo "  s$i:"
			echo "    image: local/busybox:lab"
			echo "    command: [\"sleep\", \"3600\"]"
			echo "    platform: $plat"
			if [ "$i" = 0 ]; then echo "    ports: [\"127.0.0.1::80\"]"; fi
		done
	} >"$dir/compose.yaml"
}

ms_median() { sort -g | awk '{ a[NR] = $1 } END { printf "%.1f", a[int((NR + 1) / 2)] }'; }

# Median wall time of a command, in ms (hyperfine, no shell).
hf() { # cmd...
	hyperfine -N -w 2 -r "$runs" --export-json "$tmp/hf.json" "$*" >/dev/null 2>&1 ||
		{ echo "failed: $*" >&2; "$@" >&2 || true; echo "-"; return; }
	jq -r '.results[0].median * 1000 | . * 10 | round / 10' "$tmp/hf.json"
}

trivial=$(hf "$tmp/true")

# curl's total time (s) of each URL on one socket, one connection.
curl_sum() { # sock urls...
	local s=$1
	shift
	curl -s -o /dev/null --unix-socket "$s" -w '%{time_total}\n' "$@" |
		awk '{ t += $1 } END { print t * 1000 }'
}

# The floor: the requests of each daemon ("sock url url ..." per line of
# $tmp/reqs), every daemon at once as mixcompose asks them (on this one
# 2-core machine the daemons share the CPU, so asking them one after the
# other would make a floor no client could reach), the slower daemon counts,
# plus the trivial process.
floor() {
	local r line i worst
	for ((r = 0; r < runs; r++)); do
		i=0
		while read -r line; do
			# shellcheck disable=SC2086
			curl_sum $line >"$tmp/floor.$i" &
			i=$((i + 1))
		done <"$tmp/reqs"
		wait
		worst=$(cat "$tmp"/floor.* | sort -g | tail -1)
		rm -f "$tmp"/floor.*
		echo "$worst"
	done | ms_median | awk -v p="$trivial" '{ printf "%.1f", $1 + p }'
}

# After an `up` of n containers the daemons are still busy for a while
# (shims, proxies, the kernel's network setup): wait until the machine is
# quiet (load average under 2, at most 60 s) so that no row pays for it.
settle() {
	local i
	for ((i = 0; i < 60; i++)); do
		awk '{ exit !($1 < 2) }' /proc/loadavg && return
		sleep 1
	done
}

q() { jq -rn --arg s "$1" '$s | @uri'; }

# The requests a command needs on one daemon.
reqs_for() { # cmd sock project
	local cmd=$1 s=$2 p=$3 b="http://d/$api"
	local flt ids img
	flt=$(q "{\"label\":[\"com.docker.compose.project=$p\"]}")
	case $cmd in
	ps) echo "$s http://d/_ping $b/containers/json?all=1&filters=$flt $b/networks" ;;
	ls) echo "$s http://d/_ping $b/containers/json?all=1&filters=$(q '{"label":["com.docker.compose.project"]}')" ;;
	port) echo "$s http://d/_ping $b/containers/json?all=1&filters=$flt" ;;
	daemons) echo "$s http://d/_ping http://d/info" ;;
	images)
		img=$(q local/busybox:lab)
		echo "$s http://d/_ping $b/containers/json?all=1&filters=$flt $b/images/$img/json" ;;
	logs)
		ids=$(curl -s --unix-socket "$s" "$b/containers/json?all=1&filters=$flt" | jq -r '.[].Id' |
			sed "s|.*|$b/containers/&/logs?stdout=1\\&stderr=1\\&tail=1|" | tr '\n' ' ')
		echo "$s http://d/_ping $b/containers/json?all=1&filters=$flt $ids" ;;
	up) echo "$s http://d/_ping $b/containers/json?all=1&filters=$flt $b/networks $b/volumes" ;;
	esac
}

args_for() { # cmd -> the command's arguments
	case $1 in
	port) echo "port s0 80" ;;
	logs) echo "logs --tail 1" ;;
	up) echo "up -d" ;;
	*) echo "$1" ;;
	esac
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }'; }

echo "| command | daemons | containers | mixcompose ms | compose v2 ms | floor ms | mixcompose / floor | target (1.5 x floor + 5) | met | compose v2 / mixcompose |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|"
for d in ${DAEMONS:-1 2}; do
	for n in ${SIZES:-5 50}; do
		p=day2-$d-$n
		gen "$tmp/p-$d-$n" "$p" "$n" "$d"
		f=$tmp/p-$d-$n/compose.yaml
		"$mc" -f "$f" up -d >/dev/null 2>&1 || { echo "up failed for $p" >&2; exit 1; }
		if [ "$d" = 1 ]; then
			# compose v2's own project, for its no-op up.
			mkdir -p "$tmp/c-$n"
			sed "s/^name: .*/name: day2c-$n/" "$f" >"$tmp/c-$n/compose.yaml"
			DOCKER_HOST=unix://$lsock "$cv2" -f "$tmp/c-$n/compose.yaml" up -d >/dev/null 2>&1 ||
				{ echo "compose v2 up failed for day2c-$n" >&2; exit 1; }
		fi
		settle
		for cmd in ps ls port daemons images logs up; do
			: >"$tmp/reqs"
			reqs_for "$cmd" "$lsock" "$p" >>"$tmp/reqs"
			if [ "$d" = 2 ]; then reqs_for "$cmd" "$wsock" "$p" >>"$tmp/reqs"; fi
			read -ra a <<<"$(args_for "$cmd")"
			m=$(cd "$tmp/p-$d-$n" && hf "$mc" -f "$f" "${a[@]}")
			c=-
			if [ "$d" = 1 ] && [ "$cmd" != daemons ]; then
				cf=$f
				[ "$cmd" = up ] && cf=$tmp/c-$n/compose.yaml
				c=$(cd "$(dirname "$cf")" && DOCKER_HOST=unix://$lsock hf "$cv2" -f "$cf" "${a[@]}")
			fi
			fl=$(floor)
			tgt=$(awk -v f="$fl" 'BEGIN { printf "%.1f", 1.5 * f + 5 }')
			met=$(awk -v m="$m" -v t="$tgt" 'BEGIN { print (m != "-" && m <= t) ? "yes" : "no" }')
			echo "| \`$(args_for "$cmd")\` | $d | $n | $m | $c | $fl | $(ratio "$m" "$fl") | $tgt | $met | $(ratio "$c" "$m") |"
		done
		"$mc" -f "$f" down -t 0 >/dev/null 2>&1 ||
			echo "warning: mixcompose down of $p failed" >&2
		if [ "$d" = 1 ]; then
			DOCKER_HOST=unix://$lsock "$cv2" -f "$tmp/c-$n/compose.yaml" down -t 0 >/dev/null 2>&1 ||
				echo "warning: compose v2 down of day2c-$n failed" >&2
		fi
	done
done
echo
echo "trivial C process: $trivial ms; load average: $(cut -d' ' -f1-3 /proc/loadavg)"

[ "${TRANSPORTS:-0}" = 1 ] || exit 0

# ---- Remote transports: `ps` of 5 containers, against $BASELINE ----------
base=${BASELINE:-}
gen "$tmp/p-t" day2-t 5 1
f=$tmp/p-t/compose.yaml
"$mc" -f "$f" up -d >/dev/null 2>&1
started_tls=0
if ! "$top/lab/mixlab" status 2>/dev/null | grep -q '^tls .*ping ok'; then
	"$top/lab/mixlab" tls-up >/dev/null 2>&1 && started_tls=1
fi
certs=/run/mixlab/tls # lab/mixlab's TLS_DIR
echo
echo "| transport | mixcompose ms | baseline ms |"
echo "|---|---:|---:|"
tls="--daemon linux=tcp://127.0.0.1:23760,cert=$certs"
m=$(cd "$tmp/p-t" && hf "$mc" $tls -p day2-t ps)
b=-
[ -n "$base" ] && b=$(cd "$tmp/p-t" && hf "$base" $tls -p day2-t ps)
echo "| tcp+TLS \`ps\` (the lab's TLS daemon) | $m | $b |"
if [ "$started_tls" = 1 ]; then "$top/lab/mixlab" tls-down >/dev/null 2>&1; fi

# ssh: a throwaway sshd on a free loopback port, key-only.
sd=$tmp/ssh
mkdir -p "$sd" /run/sshd
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
ssh-keygen -q -t ed25519 -N '' -f "$sd/hostkey"
ssh-keygen -q -t ed25519 -N '' -f "$sd/id"
cp "$sd/id.pub" "$sd/authorized_keys"
printf 'Port %s\nListenAddress 127.0.0.1\nHostKey %s/hostkey\nAuthorizedKeysFile %s/authorized_keys\nPidFile %s/sshd.pid\nUsePAM no\nStrictModes no\nPasswordAuthentication no\nPermitRootLogin prohibit-password\n' \
	"$port" "$sd" "$sd" "$sd" >"$sd/sshd_config"
/usr/sbin/sshd -f "$sd/sshd_config"
for _ in $(seq 50); do [ -s "$sd/sshd.pid" ] && break; sleep 0.1; done
export MIXCOMPOSE_SSH_OPTS="-i $sd/id -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR"
sshd_url="ssh://root@127.0.0.1:$port$lsock"
m=$(cd "$tmp/p-t" && hf "$mc" --daemon "linux=$sshd_url" -p day2-t ps)
b=-
[ -n "$base" ] && b=$(cd "$tmp/p-t" && hf "$base" --daemon "linux=$sshd_url" -p day2-t ps)
echo "| ssh \`ps\` (sshd on loopback, docker system dial-stdio) | $m | $b |"
kill "$(cat "$sd/sshd.pid")" 2>/dev/null || true
"$mc" -f "$f" down -t 0 >/dev/null 2>&1
