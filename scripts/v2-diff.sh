#!/usr/bin/env bash
# Compose v2 as a differential oracle for `config` (issue #9, item 5): for
# every sample and every compose file under tests/fixtures, mixcompose's
# `config --format json` and compose v2's must be equal after the
# normalisation below, which removes only what the README lists as an
# intentional difference; and a file that one of them refuses, the other
# must refuse too.  Files whose difference is intentional are skipped by
# name, each with its reason.  Exit 1 on any disagreement.
#
#   bash scripts/v2-diff.sh [BUILD_DIR]      (default: build)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
mc=$build/mixcompose
v2=$(bash "$top/scripts/compose-v2.sh")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Intentional differences: a file, then why it is not compared.
declare -A skip=(
	[tests/fixtures/compose/yaml_billion_laughs.yaml]="compose v2 spins on it (a minute or more); mixcompose refuses it at once"
	[tests/fixtures/compose/multidoc/compose.yaml]="compose v2 2.26 does not read multi-document files"
	[tests/fixtures/compose/multidoc/anchor.yaml]="compose v2 2.26 reads only the first document"
	[tests/fixtures/compose/multidoc/base.yaml]="multi-document files (see compose.yaml there)"
	[tests/fixtures/compose/multidoc/reset.yaml]="multi-document files (see compose.yaml there)"
	[tests/fixtures/compose/env_raw/compose.yaml]="env_file format raw: compose v2 2.26 has no formats"
	[tests/fixtures/integration/gaps/compose.yaml]="env_file format raw: compose v2 2.26 has no formats"
	[tests/fixtures/schema/mix_invalid.yaml]="mixcompose checks its own x-mixcompose extension"
	[tests/fixtures/integration/hooks/compose.yaml]="post_start/pre_stop: compose v2.30 keys that compose v2 2.26 refuses"
	[tests/fixtures/apply/plugins.yaml]="provider and models: compose v2.36 and v2.38 keys that compose v2 2.26 refuses"
	[tests/fixtures/apply/nested_keys.yaml]="interface_name, volume.labels, image mounts: keys newer than compose v2 2.26, which refuses them (and drops gw_priority and ipam options)"
)

# What may differ, and only that (README, "config against compose v2"):
# x-* keys inside services, networks and volumes (compose v2 prints them
# in YAML only, mixcompose in JSON too), and a Windows named pipe in the
# short volume syntax, which compose v2 on a Linux host reads as a
# relative bind path.
norm='
def unpipe: if (.type == "bind" and ((.source // "") | test("\\\\\\\\[.]\\\\pipe\\\\")))
	then .type = "npipe" | .source |= sub("^.*(?<p>\\\\\\\\[.]\\\\pipe\\\\)"; "\(.p)") | del(.bind)
	else . end;
def unx: with_entries(select(.key | startswith("x-") | not));
(.services // {}) |= map_values(unx | if .volumes then .volumes |= map(unpipe) else . end)
| if .networks then .networks |= map_values(unx) else . end
| if .volumes then .volumes |= map_values(unx) else . end'

equal=0 refused=0 skipped=0 bad=0
files=$(cd "$top" && { ls samples/*/compose.yaml; find tests/fixtures -name '*.yaml' -o -name '*.yml'; } | sort)
for f in $files; do
	if [ -n "${skip[$f]:-}" ]; then
		skipped=$((skipped + 1))
		continue
	fi
	dir=$(dirname "$top/$f")
	base=$(basename "$f")
	# The environment both see: none of the caller's COMPOSE_* variables.
	run() { (cd "$dir" && env -u COMPOSE_FILE -u COMPOSE_PROJECT_NAME \
		-u COMPOSE_PROFILES timeout 60 "$@" -f "$base" config --format json); }
	a=0 m=0
	run "$v2" >"$tmp/v2.json" 2>"$tmp/v2.err" || a=$?
	run "$mc" >"$tmp/mc.json" 2>"$tmp/mc.err" || m=$?
	if [ "$a" != 0 ] && [ "$m" != 0 ]; then
		refused=$((refused + 1))
	elif [ "$a" != 0 ] || [ "$m" != 0 ]; then
		bad=$((bad + 1))
		echo "DIFFERS $f: compose v2 exit $a, mixcompose exit $m"
		head -n 3 "$tmp/v2.err" "$tmp/mc.err" | sed 's/^/    /'
	elif diff -u <(jq -S "$norm" "$tmp/v2.json") <(jq -S "$norm" "$tmp/mc.json") >"$tmp/diff"; then
		equal=$((equal + 1))
	else
		bad=$((bad + 1))
		echo "DIFFERS $f (- compose v2, + mixcompose):"
		head -n 40 "$tmp/diff" | sed 's/^/    /'
	fi
done
echo "v2-diff: $equal equal, $refused refused by both, $bad differ, $skipped skipped (intentional)"
[ "$bad" = 0 ]
