#!/usr/bin/env bash
# Prints README's table of compose v2's commands and flags against
# mixcompose's (which are there, which are not), read from both programs'
# --help, so that the table cannot drift from the code:
#
#   bash scripts/compose-table.sh [MIXCOMPOSE_BIN]          # print it
#   bash scripts/compose-table.sh --check [MIXCOMPOSE_BIN]  # README == it?
#
# Compose v2 comes from scripts/compose-v2.sh (build/deps, cached).
# Global flags (--dry-run, -h/--help) are left out of each command's row.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
check=0
if [ "${1:-}" = --check ]; then
	check=1
	shift
fi
mc=${1:-$top/build/mixcompose}
v2=$(bash "$top/scripts/compose-v2.sh")

flags() { # the long (or lone short) flags of one --help text, sorted
	sed -n '/^Options:/,/^$/p' |
		sed -nE 's/^ +(-[a-zA-Z], )?(--[a-zA-Z0-9-]+|-[a-zA-Z]).*/\2/p' |
		{ grep -vxE -- "--help|--dry-run|-h" || true; } | sort -u
}

ticks() { # lines -> `a` `b` (nothing for no lines)
	{ grep . || true; } | sed 's/.*/`&`/' | paste -sd' '
}

table() {
	echo "| compose v2 command | in mixcompose | flags there | flags not there |"
	echo "|---|---|---|---|"
	"$v2" --help | sed -n '/^Commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }' |
	while read -r cmd; do
		theirs=$("$v2" "$cmd" --help 2>/dev/null | flags)
		if ours=$("$mc" "$cmd" --help 2>/dev/null); then
			ours=$(flags <<<"$ours")
			there=$(comm -12 <(echo "$theirs") <(echo "$ours") | ticks)
			missing=$(comm -23 <(echo "$theirs") <(echo "$ours") | ticks)
			echo "| \`$cmd\` | yes | ${there:--} | ${missing:--} |"
		else
			all=$(ticks <<<"$theirs")
			echo "| \`$cmd\` | no | - | ${all:--} |"
		fi
	done
}

if [ "$check" = 0 ]; then
	table
	exit 0
fi
# The README holds the table between two marker lines.
want=$(table)
have=$(sed -n '/<!-- compose-table begin -->/,/<!-- compose-table end -->/p' "$top/README.md" | sed '1d;$d')
if [ "$want" != "$have" ]; then
	echo "README.md's compose v2 table is stale; run scripts/compose-table.sh" >&2
	diff <(echo "$have") <(echo "$want") >&2 || true
	exit 1
fi
echo "README compose v2 table: ok"
