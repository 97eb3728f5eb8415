#!/usr/bin/env bash
# Rejects any #include that breaks the module arrows of shared/STYLE.md:
#   cli -> {apply, compose, schema, planner, translate, engine};
#   apply -> {compose, planner, engine}; translate -> {planner, compose};
#   schema -> compose; planner -> compose; everything may use compat (the
#   platform layer) and util; compat uses util; util uses nothing.  Only
#   compat/ tests _WIN32.
# Also keeps each library in its one home: libyaml in compose/yaml.c,
# libcurl and cJSON in engine/ (cJSON also in util/json.c, the one JSON
# writer), PCRE2 in util/rx.c.
set -euo pipefail
cd "$(dirname "$0")/.."
bad=0

allowed() { # module -> the modules it may include
	case $1 in
	util) echo "util" ;;
	compat) echo "compat util" ;;
	compose) echo "compose compat util" ;;
	schema) echo "schema compose compat util" ;;
	planner) echo "planner compose compat util" ;;
	translate) echo "translate planner compose compat util" ;;
	engine) echo "engine compat util" ;;
	apply) echo "apply compose planner engine compat util" ;;
	cli) echo "cli apply compose schema planner translate engine compat util" ;;
	esac
}

for mod in util compat compose schema planner translate engine apply cli; do
	ok=$(allowed "$mod")
	while IFS=: read -r file _ inc; do
		dep=$(sed -n 's/.*#include "\([a-z_]*\)\/.*/\1/p' <<<"$inc")
		[ -n "$dep" ] || continue
		case " $ok " in
		*" $dep "*) ;;
		*) echo "$file: '$mod' may not include '$dep': $inc" >&2; bad=1 ;;
		esac
		# An internal header (x_int.h) stays inside its module.
		if [[ $inc == *_int.h* ]] && [ "$dep" != "$mod" ]; then
			echo "$file: internal header of '$dep': $inc" >&2; bad=1
		fi
	done < <(grep -Hn '#include "' "$mod"/*.[ch] 2>/dev/null || true)
done

home() { # header pattern, allowed files (regex)
	local hits
	hits=$(grep -ln "#include <$1" util/*.[ch] compose/*.[ch] schema/*.[ch] planner/*.[ch] translate/*.[ch] engine/*.[ch] apply/*.[ch] cli/*.[ch] | grep -Ev "$2" || true)
	if [ -n "$hits" ]; then
		echo "<$1> outside its home ($2): $hits" >&2; bad=1
	fi
}
home 'yaml.h' '^compose/yaml\.c$'
home 'curl/' '^engine/'
home 'cjson/' '^engine/|^util/json\.c$'
home 'pcre2.h' '^util/rx\.c$'

# Platform code stays behind compat/compat.h.
hits=$(grep -ln '_WIN32\|__MINGW' util/*.[ch] compose/*.[ch] schema/*.[ch] planner/*.[ch] engine/*.[ch] apply/*.[ch] translate/*.[ch] cli/*.[ch] || true)
if [ -n "$hits" ]; then
	echo "platform test outside compat/: $hits" >&2; bad=1
fi

[ "$bad" = 0 ] && echo "include arrows: ok"
exit "$bad"
