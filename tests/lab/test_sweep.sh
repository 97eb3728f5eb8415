#!/usr/bin/env bash
# `lab/mixlab sweep` and `lab/mixlab strays`, for real, in the root network
# namespace while the shared lab runs: sweep deletes orphan veth pairs
# (named veth*, both ends here, neither on a bridge) and bridges in
# lab/hosts.sh's ranges (10.231-10.234) that no running dockerd owns, and
# nothing else: a pair with an end on a bridge (a container's pair being
# set up), a pair whose peer is in another namespace (a running
# container's), a pair of other names, a bridge that the lab's "linux"
# daemon owns all stay; strays names what is left.  Every interface,
# namespace and network here is the test's own, and removed at the end.
# usage: tests/lab/test_sweep.sh      (root; the lab up; ctest -L sweep)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
mixlab=$top/lab/mixlab
sock=/run/mixlab/linux.sock
tag=$(printf '%04x' $(($$ % 65536)))
ns=mixsweep-$tag
net=mixsweep-$tag
br=lfsw$tag
# Names: orphan pair O, settling pair S, pair on a bridge B, pair into a
# namespace N, pair of other names X, a bridge in the ranges P.
o1=vethlo$tag o2=vethlp$tag
s1=vethls$tag s2=vethlt$tag
b1=vethlb$tag b2=vethlc$tag
n1=vethln$tag n2=vethlm$tag
x1=lfx$tag x2=lfy$tag
pb=lfpb$tag
pass=0 fail=0
ok() { echo "ok - $*"; pass=$((pass + 1)); }
bad() { echo "not ok - $*"; fail=$((fail + 1)); }
check() { # DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then ok "$what"; else bad "$what"; fi
}
api() { # METHOD PATH [curl args...]
	curl -sf --max-time 30 --unix-socket "$sock" -X "$1" "${@:3}" "http://lab$2"
}

cleanup() {
	local rc=$? l
	for l in "$o1" "$s1" "$b1" "$n1" "$x1" "$br" "$pb"; do
		ip link del dev "$l" 2>/dev/null || true
	done
	ip netns del "$ns" 2>/dev/null || true
	api DELETE "/networks/$net" >/dev/null 2>&1 || true
	exit "$rc"
}
trap cleanup EXIT

has() { ip link show dev "$1" >/dev/null 2>&1; }

[ -S "$sock" ] || { echo "the lab is not up (no $sock)" >&2; exit 1; }
ip link add "$o1" type veth peer name "$o2"
ip link set "$o2" up
ip link add "$s1" type veth peer name "$s2"
ip link add "$br" type bridge
ip link add "$b1" type veth peer name "$b2"
ip link set "$b1" master "$br"
ip netns add "$ns"
ip link add "$n1" type veth peer name "$n2" netns "$ns"
ip link add "$x1" type veth peer name "$x2"
ip link add "$pb" type bridge
ip addr add 10.234.250.1/24 dev "$pb"
# A network of the lab's "linux" daemon in the ranges: its bridge is owned.
id=$(api POST /networks/create -H 'Content-Type: application/json' \
	-d "{\"Name\":\"$net\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.234.251.0/24\"}]}}" |
	jq -r .Id)
owned=br-${id:0:12}

strays=$("$mixlab" strays 2>&1) && rc=0 || rc=$?
check "strays fails while there are leftovers" test "$rc" = 1
check "strays names the orphan pair" grep -qF "$o1/$o2" <<<"$strays"
check "strays names the unowned bridge in the ranges" grep -qF "$pb with 10.234.250.1/24" <<<"$strays"
check "strays names the owned bridge in the ranges too" grep -qF "$owned with 10.234.251.1/24" <<<"$strays"
check "strays does not name the pair on a bridge" eval '! grep -qF "$b1" <<<"$strays"'
check "strays does not name the pair into a namespace" eval '! grep -qF "$n1" <<<"$strays"'

# The settling pair gets a master one second into the sweep, as a pair that
# dockerd is setting up does: seen orphaned once only, it must stay.
"$mixlab" sweep &
sweep=$!
sleep 1
ip link set "$s1" master "$br" 2>/dev/null || true # gone if the sweep took it
wait "$sweep" && rc=0 || rc=$?
check "sweep exits 0" test "$rc" = 0
check "sweep deleted the orphan pair (both ends)" eval '! has "$o1" && ! has "$o2"'
check "sweep deleted the bridge in the ranges that no daemon owns" eval '! has "$pb"'
check "sweep left the bridge that the lab's daemon owns" has "$owned"
check "sweep left the pair on a bridge" eval 'has "$b1" && has "$b2"'
check "sweep left the pair that got a master while it settled" eval 'has "$s1" && has "$s2"'
check "sweep left the pair whose peer is in another namespace" \
	eval 'has "$n1" && ip -n "$ns" link show dev "$n2" >/dev/null'
check "sweep left the pair of other names" eval 'has "$x1" && has "$x2"'
check "sweep left the lab's own bridges" eval 'has mixlab-lnx && has mixlab-win'

api DELETE "/networks/$net" >/dev/null
strays=$("$mixlab" strays 2>&1) || true
check "strays names none of the test's interfaces once they are gone or live" \
	eval '! grep -qE "$o1|$s1|$b1|$n1|$x1|$pb|$owned" <<<"$strays"'

echo "sweep: $pass passed, $fail failed"
[ "$fail" = 0 ]
