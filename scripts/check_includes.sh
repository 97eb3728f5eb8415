#!/usr/bin/env bash
# Rejects any #include that breaks the module arrows of shared/STYLE.md:
#   cli -> {apply, compose, schema, planner, translate, engine};
#   apply -> {compose, planner, engine}; translate -> {planner, compose};
#   schema -> compose; planner -> compose; everything may use util; util uses nothing.
# Also keeps each library in its one home: libyaml in compose/yaml.c,
# libcurl and cJSON in engine/, PCRE2 in util/rx.c.
set -euo pipefail
cd "$(dirname "$0")/.."
bad=0

allowed() { # module -> the modules it may include
	case $1 in
	util) echo "util" ;;
	compose) echo "compose util" ;;
	schema) echo "schema compose util" ;;
	planner) echo "planner compose util" ;;
	translate) echo "translate planner compose util" ;;
	engine) echo "engine util" ;;
	apply) echo "apply compose planner engine util" ;;
	cli) echo "cli apply compose schema planner translate engine util" ;;
	esac
}

for mod in util compose schema planner translate engine apply cli; do
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
home 'cjson/' '^engine/'
home 'pcre2.h' '^util/rx\.c$'

[ "$bad" = 0 ] && echo "include arrows: ok"
exit "$bad"
