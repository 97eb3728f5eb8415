#!/usr/bin/env bash
# Runs the main commands under valgrind against the lab (which must be up)
# and fails if any of them leaks or touches invalid memory.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${MIXCOMPOSE:-$top/build/mixcompose}
project=vgcheck-$$

# The sample publishes nginx on 127.0.0.1:${MIXLAB_PORT:-8080}; the demo (or
# a user) may hold 8080, so this run takes a port that nobody listens on.
free_port() {
	local p
	for p in $(shuf -i 20000-59999 -n 100); do
		ss -Hltn "sport = :$p" | grep -q . || {
			echo "$p"
			return 0
		}
	done
	echo "valgrind: no free port on loopback" >&2
	return 1
}
MIXLAB_PORT=$(free_port)
export MIXLAB_PORT
mc=("$bin" -f "$top/samples/lab/compose.yaml" -p "$project")
vg=(valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect
	--error-exitcode=9 -q)
log=$(mktemp)
trap '"${mc[@]}" down -v -t 0 >/dev/null 2>&1 || true; rm -f "$log"' EXIT

bad=0
n=0
want=23
while IFS= read -r args; do
	n=$((n + 1))
	# shellcheck disable=SC2086 # the words of each command split on purpose
	# (stdin from /dev/null: exec and run forward stdin, and would
	# otherwise eat the rest of this list)
	if "${vg[@]}" "${mc[@]}" $args </dev/null >/dev/null 2>"$log"; then
		printf 'valgrind: %-28s clean\n' "$args"
	else
		printf 'valgrind: %-28s FAILED\n' "$args"
		cat "$log"
		bad=1
	fi
done <<'CMDS'
config --format json
plan --offline
graph --format mermaid --offline
daemons
up -d --wait
ps
logs
exec -T web hostname
run --rm -T web hostname
hosts --sync
restart
stop
start
top
images --format json
port nginx 80
ls -a
pause
unpause
kill
rm -f
create
down -v -t 0 --rmi local
CMDS
[ "$n" -eq "$want" ] || { echo "valgrind: ran $n of $want commands" >&2; bad=1; }
exit "$bad"
