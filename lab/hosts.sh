#!/usr/bin/env bash
# lab/hosts.sh: two "hosts" on this machine, for the Swarm test (issue 11),
# in a shape the lab can adopt: each host is a network namespace with its
# own address on one veth link between them, and its own dockerd started
# inside it with `nsenter --net=` (`ip netns exec` remounts /sys and dockerd
# then fails on the devices cgroup).  The two hosts run two engine versions
# (lab/engine.sh): host a ("linux") Debian 12's 20.10, host b ("windows")
# trixie's 26.1; MIXHOSTS_ENGINE_A / MIXHOSTS_ENGINE_B choose others.  Both
# daemons import the lab images (lab/images.sh).  Nothing here touches the
# shared lab (/run/mixlab).
#
#   hosts.sh up         namespaces, link, daemons, images
#   hosts.sh routes     routes each host's container subnets (its networks
#                       inside ROUTED, 10.234.0.0/16) to the other host:
#                       a route per peer subnet via the peer's address, a
#                       DOCKER-USER rule per (peer subnet, own subnet) on
#                       the link, and no masquerade towards peer subnets,
#                       so the receiver sees the real source; run it again
#                       after networks change (it replaces its own rules)
#   hosts.sh swarm-up   a Swarm: host a the manager, host b a worker,
#                       nodes labelled os=linux (a) and os=windows (b)
#   hosts.sh down       removes every daemon, swarm state, namespace, veth,
#                       mount, cgroup and directory it made (also after a
#                       failure half way), then runs lab/mixlab sweep
#   hosts.sh env        HOSTS_A_SOCK=..., HOSTS_B_SOCK=..., addresses
#   hosts.sh left       prints what is left of the hosts (namespace, veth,
#                       mount, directory, cgroup, daemon process; in the
#                       root namespace an interface in 10.231-10.234 or an
#                       orphan veth pair: lab/mixlab strays) and fails if
#                       anything is: the tests' check after down
#
# Daemons are stopped by the pid in their pidfile, never by name.
set -euo pipefail
# shellcheck source=lab/images.sh
. "$(dirname "${BASH_SOURCE[0]}")/images.sh"
# shellcheck source=lab/engine.sh
. "$(dirname "${BASH_SOURCE[0]}")/engine.sh"

LABDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly LABDIR
readonly RUN=/run/mixlab-hosts
readonly LIB=/var/lib/mixlab-hosts
readonly HOSTS=(a b)
declare -A ADDR=([a]=10.231.0.1 [b]=10.231.0.2)
declare -A OSLABEL=([a]=linux [b]=windows)
declare -A BIP=([a]=10.233.1.1/24 [b]=10.233.2.1/24)
declare -A ENGINE=([a]=${MIXHOSTS_ENGINE_A:-20.10} [b]=${MIXHOSTS_ENGINE_B:-26.1})
declare -A PEER=([a]=b [b]=a)
# Project networks that are routed between the hosts (a compose file's
# x-mixcompose.address_pool on this lab).
readonly ROUTED=10.234.0.0/16
readonly TAG=mixhosts-route
# Swarm's overlay subnets come from here, away from the link.
readonly SWARM_POOL=10.232.0.0/16
# All of 10.231.0.0/16-10.234.0.0/16 stays inside the namespaces: `down`
# deletes a bridge of these ranges in the root namespace that no running
# daemon owns, and `left` fails on any interface there
# (lab/mixlab sweep, strays: HOSTS_NETS_RE).
readonly STOP_TIMEOUT=20

log() { printf 'hosts: %s\n' "$*" >&2; }
die() {
	log "$*"
	exit 1
}

ns() { printf 'mixhosts-%s' "$1"; }
sock() { printf '%s/%s.sock' "$RUN" "$1"; }
pidfile() { printf '%s/%s.pid' "$RUN" "$1"; }
dk() {
	local h=$1
	shift
	docker -H "unix://$(sock "$h")" "$@"
}

ping_ok() {
	[ -S "$(sock "$1")" ] &&
		[ "$(curl -s --max-time 3 --unix-socket "$(sock "$1")" \
			http://hosts/_ping 2>/dev/null)" = OK ]
}

# daemon_pid H: the pid of host H's dockerd, if it is still ours.
daemon_pid() {
	local pf pid
	pf=$(pidfile "$1")
	[ -r "$pf" ] || return 1
	pid=$(cat "$pf")
	[[ $pid =~ ^[0-9]+$ ]] && [ -r "/proc/$pid/cmdline" ] || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$(sock "$1")" ||
		return 1
	printf '%s\n' "$pid"
}

stop_pid() {
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	sleep 0.5
}

link_up() {
	local h
	for h in "${HOSTS[@]}"; do
		[ -e "/run/netns/$(ns "$h")" ] || ip netns add "$(ns "$h")"
	done
	if ! ip -n "$(ns a)" link show mh0 >/dev/null 2>&1; then
		ip link add mh-a type veth peer name mh-b
		ip link set mh-a netns "$(ns a)" name mh0
		ip link set mh-b netns "$(ns b)" name mh0
	fi
	for h in "${HOSTS[@]}"; do
		ip -n "$(ns "$h")" link set lo up
		ip -n "$(ns "$h")" addr replace "${ADDR[$h]}/24" dev mh0
		ip -n "$(ns "$h")" link set mh0 up
	done
}

start_daemon() {
	local h=$1 dir=$LIB/$1 i pid bin
	local -a extra
	if daemon_pid "$h" >/dev/null && ping_ok "$h"; then
		in_own_ns "$h" || die "dockerd of host $h does not run in $(ns "$h")"
		return 0
	fi
	addr_ok "$h" || die "host $h: ${ADDR[$h]} is not on mh0 in $(ns "$h")"
	bin=$(engine_dockerd "${ENGINE[$h]}") || die "no dockerd of engine ${ENGINE[$h]}"
	mapfile -t extra < <(engine_args "${ENGINE[$h]}")
	mkdir -p "$dir/root" "$RUN/$h/exec"
	printf '{ "deprecated-key-path": "%s/key.json" }\n' "$dir" >"$dir/daemon.json"
	(cd / && exec setsid nsenter --net="/run/netns/$(ns "$h")" "$bin" \
		--host "unix://$(sock "$h")" \
		--data-root "$dir/root" \
		--exec-root "$RUN/$h/exec" \
		--pidfile "$(pidfile "$h")" \
		--config-file "$dir/daemon.json" \
		--cgroup-parent "mixhosts-$h" \
		--containerd-namespace "mixhosts-$h" \
		--containerd-plugins-namespace "mixhosts-$h-plugins" \
		--bip "${BIP[$h]}" \
		"${extra[@]}" </dev/null >>"$LIB/$h.log" 2>&1 9<&-) &
	pid=$!
	for ((i = 0; i < 240; i++)); do
		ping_ok "$h" && break
		kill -0 "$pid" 2>/dev/null ||
			{ tail -n 20 "$LIB/$h.log" >&2; die "dockerd of host $h exited"; }
		sleep 0.25
	done
	ping_ok "$h" || die "dockerd of host $h not ready after 60s (log: $LIB/$h.log)"
	in_own_ns "$h" || die "dockerd of host $h does not run in $(ns "$h")"
}

# in_own_ns H: host H's dockerd runs in H's namespace.  One outside it
# could not bind the host's address, and would make the hosts' networks in
# the namespace it runs in.
in_own_ns() {
	local pid
	pid=$(daemon_pid "$1") || return 1
	[ "$(stat -L -c %i "/proc/$pid/ns/net")" = \
		"$(stat -L -c %i "/run/netns/$(ns "$1")")" ]
}

# addr_ok H: host H's address is on its end of the link, which is up.
addr_ok() {
	ip -n "$(ns "$1")" -4 -o addr show dev mh0 up 2>/dev/null |
		grep -qF " ${ADDR[$1]}/24 "
}

import_images() {
	local build img h
	local -a chg args
	build=$(mktemp -d)
	lab_image_tars "$build"
	for img in nginx webapp busybox; do
		IFS='|' read -ra chg <<<"${LAB_IMAGE_CHANGES[$img]}"
		args=()
		for c in "${chg[@]}"; do args+=(-c "$c"); done
		for h in "${HOSTS[@]}"; do
			dk "$h" import "${args[@]}" "$build/$img.tar" \
				"local/$img:lab" >/dev/null
		done
	done
	rm -rf "$build"
}

cmd_up() {
	local h
	mkdir -p "$RUN" "$LIB"
	chmod 711 "$LIB"
	link_up
	for h in "${HOSTS[@]}"; do
		start_daemon "$h"
	done
	import_images
	log "up: host a ${ADDR[a]} ($(sock a)), host b ${ADDR[b]} ($(sock b))"
}

# subnets H: host H's project subnets inside ROUTED, one a line.
subnets() {
	local id
	for id in $(dk "$1" network ls -q --filter driver=bridge); do
		dk "$1" network inspect -f \
			'{{range .IPAM.Config}}{{.Subnet}}{{"\n"}}{{end}}' "$id"
	done | awk -v pre="${ROUTED%%.0.0/16}." 'index($0, pre) == 1' | sort -u
}

# in_ns H CMD...: CMD in host H's network namespace.
in_ns() {
	local h=$1
	shift
	nsenter --net="/run/netns/$(ns "$h")" "$@"
}

# unroute H: removes host H's routes to ROUTED and the rules tagged TAG.
unroute() {
	local h=$1 table line
	local -a spec
	in_ns "$h" ip route show | awk -v pre="${ROUTED%%.0.0/16}." \
		'index($1, pre) == 1 && / via / { print $1 }' |
		while read -r line; do in_ns "$h" ip route del "$line"; done
	for table in filter nat; do
		in_ns "$h" iptables -t "$table" -S | { grep -F -- "$TAG" || true; } |
			while read -r line; do
				read -ra spec <<<"${line#-A }"
				in_ns "$h" iptables -t "$table" -D "${spec[@]}"
			done
	done
}

cmd_routes() {
	local h p own peer o
	declare -A SUBS
	for h in "${HOSTS[@]}"; do
		SUBS[$h]=$(subnets "$h")
	done
	for h in "${HOSTS[@]}"; do
		p=${PEER[$h]}
		unroute "$h"
		for peer in ${SUBS[$p]}; do
			in_ns "$h" ip route replace "$peer" via "${ADDR[$p]}" dev mh0
			in_ns "$h" iptables -t nat -I POSTROUTING -o mh0 \
				-d "$peer" -m comment --comment "$TAG" -j RETURN
			for own in ${SUBS[$h]}; do
				in_ns "$h" iptables -I DOCKER-USER -i mh0 \
					-s "$peer" -d "$own" \
					-m comment --comment "$TAG" -j ACCEPT
			done
		done
		o=$(printf '%s ' ${SUBS[$h]})
		log "routes: host $h (${o% }) <-> host $p via ${ADDR[$p]}"
	done
}

cmd_swarm_up() {
	local token h id
	if [ "$(dk a info -f '{{.Swarm.LocalNodeState}}')" != active ]; then
		dk a swarm init --advertise-addr "${ADDR[a]}" \
			--listen-addr "${ADDR[a]}:2377" \
			--default-addr-pool "$SWARM_POOL" >/dev/null
	fi
	if [ "$(dk b info -f '{{.Swarm.LocalNodeState}}')" != active ]; then
		token=$(dk a swarm join-token -q worker)
		dk b swarm join --token "$token" --advertise-addr "${ADDR[b]}" \
			--listen-addr "${ADDR[b]}:2377" "${ADDR[a]}:2377" >/dev/null
	fi
	for h in "${HOSTS[@]}"; do
		id=$(dk "$h" info -f '{{.Swarm.NodeID}}')
		dk a node update --label-add "os=${OSLABEL[$h]}" "$id" >/dev/null
	done
	log "swarm: manager a, worker b; labels os=linux (a), os=windows (b)"
}

# children PID: every descendant of PID, deepest last.
children() {
	local c
	for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		printf '%s\n' "$c"
		children "$c"
	done
}

stop_daemon() {
	local h=$1 pid kids=() k
	if pid=$(daemon_pid "$h"); then
		if ping_ok "$h"; then
			dk "$h" swarm leave --force >/dev/null 2>&1 || true
			for k in $(dk "$h" ps -aq 2>/dev/null); do
				dk "$h" rm -f "$k" >/dev/null 2>&1 || true
			done
		fi
		mapfile -t kids < <(children "$pid")
		stop_pid "$pid"
		for k in "${kids[@]}"; do
			stop_pid "$k"
		done
	fi
	# Whatever is left in the daemon's cgroups: its containers.
	for k in /sys/fs/cgroup/"mixhosts-$h"/cgroup.procs \
		/sys/fs/cgroup/"mixhosts-$h"/*/cgroup.procs; do
		[ -r "$k" ] || continue
		while read -r pid; do kill -KILL "$pid" 2>/dev/null || true; done <"$k"
	done
	for k in /sys/fs/cgroup/"mixhosts-$h"; do
		[ -d "$k" ] && find "$k" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	rm -f "$(pidfile "$h")" "$(sock "$h")"
}

cmd_down() {
	local h m
	for h in "${HOSTS[@]}"; do
		stop_daemon "$h"
	done
	findmnt -rn -o TARGET | { grep -E "^($LIB|$RUN)(/|$)" || true; } |
		sort -r | while read -r m; do
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
	done
	for h in "${HOSTS[@]}"; do
		# Deleting a namespace deletes the veth end and the daemon's
		# bridges inside it.
		[ -e "/run/netns/$(ns "$h")" ] && ip netns del "$(ns "$h")"
	done
	rm -rf "$LIB" "$RUN"
	# Network leftovers of dead daemons in the root namespace: orphan
	# veth pairs, bridges in this script's ranges (lab/mixlab, "sweep").
	"$LABDIR/mixlab" sweep
	log "down"
}

cmd_left() {
	local f h left=()
	for h in "${HOSTS[@]}"; do
		for f in "/run/netns/$(ns "$h")" "/sys/fs/cgroup/mixhosts-$h"; do
			[ -e "$f" ] && left+=("$f")
		done
		ip link show "mh-$h" >/dev/null 2>&1 && left+=("veth mh-$h")
	done
	for f in "$RUN" "$LIB"; do [ -e "$f" ] && left+=("$f"); done
	while read -r f; do left+=("mount $f"); done < <(findmnt -rn -o TARGET |
		grep -E "^($LIB|$RUN)(/|$)" || true)
	for f in /proc/[0-9]*/cmdline; do
		# Builtins only; a process that ended meanwhile is skipped.
		mapfile -d '' h 2>/dev/null <"$f" || continue
		[[ " ${h[*]} " == *" $RUN/"* || " ${h[*]} " == *"=$RUN/"* || " ${h[*]} " == *"unix://$RUN/"* ]] && left+=("process ${f//[^0-9]/}")
	done
	# And in the root namespace: an interface in this script's ranges or
	# an orphan veth pair (lab/mixlab strays lists them).
	"$LABDIR/mixlab" strays || left+=("in the root namespace (above)")
	[ ${#left[@]} -eq 0 ] && return 0
	printf 'left of lab/hosts.sh: %s\n' "${left[@]}" >&2
	return 1
}

cmd_env() {
	printf 'HOSTS_A_SOCK=%s\nHOSTS_B_SOCK=%s\n' "$(sock a)" "$(sock b)"
	printf 'HOSTS_A_ADDR=%s\nHOSTS_B_ADDR=%s\n' "${ADDR[a]}" "${ADDR[b]}"
	printf 'HOSTS_A_NETNS=/run/netns/%s\nHOSTS_B_NETNS=/run/netns/%s\n' \
		"$(ns a)" "$(ns b)"
	printf 'HOSTS_ROUTED=%s\n' "$ROUTED"
}

[ "$(id -u)" -eq 0 ] || die "must run as root"
exec 9<"${BASH_SOURCE[0]}"
flock 9
case ${1:-} in
up) cmd_up ;;
routes) cmd_routes ;;
swarm-up) cmd_swarm_up ;;
down) cmd_down ;;
env) cmd_env ;;
left) cmd_left ;;
*)
	echo "usage: lab/hosts.sh up|routes|swarm-up|down|env|left" >&2
	exit 2
	;;
esac
