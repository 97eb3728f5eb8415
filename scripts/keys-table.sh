#!/usr/bin/env bash
# Prints README's "keys" section from the schema (schema/mixcompose.schema.json):
# every compose key, acted on (by family), refused on a daemon whose Engine
# API is too old, refused as compose v2 refuses it, or ignored and why.
# The schema's annotations are what the program reads (the warnings come
# from x-mixcompose-unsupported; tests/apply/test_keys.c checks
# x-mixcompose-api against compose_keys[] and x-mixcompose-refused
# against the build refusals), so the section cannot drift from the code:
#
#   bash scripts/keys-table.sh           # print it
#   bash scripts/keys-table.sh --check   # README == it?
#   bash scripts/keys-table.sh --write   # put it into README.md
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-print}

section() {
	jq -c -f "$top/scripts/keys-table.jq" "$top/schema/mixcompose.schema.json" | jq -rs '
	def rel: if startswith("services.NAME.") then ltrimstr("services.NAME.") else . end;
	def family: (.path | startswith("services.NAME.")) as $svc | (.path | rel) as $r
		| ($r | test("[.\\[]")) as $deep | ($r | sub("[.\\[].*"; "")) as $first
		| if $svc then (if $deep then "`\($first)`" else "service" end)
		  else (if $deep then "top-level `\($first)`" else "top level" end) end;
	def table($class; $head):
		[.[] | select(.class == $class)]
		| sort_by([(.path | startswith("services.NAME.") | not), (.path | rel)])
		| if length == 0 then empty else
			"| key | \($head) |", "|---|---|",
			(.[] | "| `\(.path | rel)`\(if (.path | startswith("services.NAME.")) then "" else " (top level)" end) | \(.why) |"), ""
		  end;
	"Service keys are written without their `services.NAME.` prefix; `NAME` stands for any name and `[]` for each item of a list.",
	"",
	"Acted on, as compose v2 acts on them (by family):",
	"",
	([.[] | select(.class == "acted" or .class == "api" or .class == "bkapi") | . + {f: family}]
		| group_by(.f) | sort_by(.[0].f | if . == "service" then "" elif startswith("top") then "~" + . else . end)[]
		| "- \(.[0].f): \([.[].path | rel] | sort | unique | map("`\(.)`") | join(", "))"),
	"",
	"Refused on a daemon whose Engine API is older than the key needs, before anything is created:",
	"",
	([.[] | select(.class == "api") | .why |= "Engine API \(.) or later"] | table("api"; "needs")),
	"Refused under BuildKit (`cache_to: [type=inline]`, `entitlements: [network.host]`) on a daemon whose builder-next drops the key, before anything is created:",
	"",
	([.[] | select(.class == "bkapi") | .why |= "Engine API \(.) or later (Engine 23.0); dockerd 20.10 drops it"] | table("bkapi"; "needs")),
	"Refused, as compose v2 refuses them, before anything is created:",
	"",
	table("refused"; "why"),
	"Ignored with a warning (`is ignored: WHY`, or `does not act on` for the ones not done yet):",
	"",
	table("ignored"; "why"),
	"Ignored without a warning, as compose v2 ignores them:",
	"",
	table("noop"; "why"),
	"Deprecated (a warning that names the replacement; still acted on):",
	"",
	table("deprecated"; "warning")
	' | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
}

case $mode in
print)
	section
	exit 0
	;;
--write)
	section >"$top/README.md.keys"
	awk -v f="$top/README.md.keys" '
		/<!-- keys end -->/ { while ((getline l < f) > 0) print l; skip = 0 }
		!skip { print }
		/<!-- keys begin -->/ { skip = 1 }' "$top/README.md" >"$top/README.md.new"
	rm "$top/README.md.keys"
	mv "$top/README.md.new" "$top/README.md"
	exit 0
	;;
--check) ;;
*)
	echo "usage: scripts/keys-table.sh [--check|--write]" >&2
	exit 2
	;;
esac
want=$(section)
have=$(sed -n '/<!-- keys begin -->/,/<!-- keys end -->/p' "$top/README.md" | sed '1d;$d')
if [ "$want" != "$have" ]; then
	echo "README.md's keys section is stale; run scripts/keys-table.sh --write" >&2
	diff <(echo "$have") <(echo "$want") >&2 || true
	exit 1
fi
echo "README keys section: ok"
