#!/usr/bin/env bash
# Prints `config --format json` and the default YAML `config` of every
# fixture and sample (and of bench/gen_compose.sh's files of 10, 100 and
# 1000 services) to files under DIR, one per input and format, with the
# exit status and stderr.  Two runs (say, of main's binary and of a
# change meant to be output-neutral, such as a speed-up) are compared
# with `diff -r`:
#
#   scripts/config-golden.sh DIR [MIXCOMPOSE]
#   scripts/config-golden.sh --compare OLD_BIN NEW_BIN
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

if [ "${1:-}" = --compare ]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	bash "$0" "$tmp/old" "$2"
	bash "$0" "$tmp/new" "$3"
	if diff -r "$tmp/old" "$tmp/new" >"$tmp/diff"; then
		echo "config-golden: $(find "$tmp/old" -type f | wc -l) outputs identical"
		exit 0
	fi
	head -100 "$tmp/diff"
	echo "config-golden: outputs differ" >&2
	exit 1
fi

dir=${1:?usage: config-golden.sh DIR [MIXCOMPOSE] | --compare OLD NEW}
bin=$(realpath "${2:-$top/build/mixcompose}")
mkdir -p "$dir/gen"
for n in 10 100 1000; do
	bash "$top/bench/gen_compose.sh" "$n" >"$dir/gen/compose-$n.yaml"
done
cd "$top"
{
	find tests/fixtures samples -name '*.yaml' -o -name '*.yml' | LC_ALL=C sort
	for n in 10 100 1000; do echo "$dir/gen/compose-$n.yaml"; done
} | while read -r f; do
	key=$(echo "${f#"$dir"/}" | tr / _)
	for fmt in json yaml; do
		o=$dir/out/$key.$fmt
		mkdir -p "$dir/out"
		args=(-f "$f" -p golden config)
		[ "$fmt" = json ] && args+=(--format json)
		rc=0
		(cd "$(dirname "$f")" && env -u COMPOSE_PROJECT_NAME "$bin" "${args[@]}") \
			>"$o" 2>"$o.err" </dev/null || rc=$?
		echo "$rc" >"$o.rc"
	done
done
