#!/usr/bin/env bash
# The Debian package, for real (as root, on the CI machine): built from the
# tree, found by the docker CLI in ~/.docker/cli-plugins, installed with
# dpkg -i, run as mixcompose and as `docker mixcompose` (global options and
# context passed on), its bash completion driven with compgen on a fixture
# project, its zsh and fish scripts checked by their shells, every man page
# rendered without a warning, then purged: nothing it installed is left.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
fixture=$top/tests/fixtures/completion/compose.yaml
tmp=$(mktemp -d)
fails=0 passes=0

check() { # NAME COMMAND...: one check, counted
	local name=$1
	shift
	if "$@" >"$tmp/out" 2>&1; then
		passes=$((passes + 1))
	else
		fails=$((fails + 1))
		echo "FAIL: $name" >&2
		sed 's/^/  | /' "$tmp/out" >&2
	fi
}

has_lines() { # FILE WORD...: every WORD is a line of FILE
	local f=$1 w
	shift
	for w in "$@"; do
		grep -qxF -- "$w" "$f" || { echo "no '$w' in:"; cat "$f"; return 1; }
	done
}

cleanup() {
	dpkg-query -W -f='${Status}' mixcompose 2>/dev/null | grep -q installed &&
		dpkg --purge mixcompose >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT

if dpkg-query -W -f='${Status}' mixcompose 2>/dev/null | grep -q installed; then
	echo "mixcompose is installed already: not touching it" >&2
	exit 1
fi

echo "-- build the package"
deb=$(bash scripts/package.sh | tail -1)
echo "$deb"
dpkg-deb -f "$deb" Depends Recommends

# The docker CLIs on this machine: the one on PATH, and Debian's.
clis=()
for d in "$(command -v docker || true)" /usr/bin/docker; do
	[ -x "$d" ] && [[ " ${clis[*]-} " != *" $d "* ]] && clis+=("$d")
done
[ ${#clis[@]} -gt 0 ] || { echo "no docker CLI" >&2; exit 1; }

echo "-- the plugin in ~/.docker/cli-plugins (before the package)"
mkdir -p "$tmp/home/.docker/cli-plugins"
ln -s "$top/build-pkg/mixcompose" "$tmp/home/.docker/cli-plugins/docker-mixcompose"
for d in "${clis[@]}"; do
	check "$d finds ~/.docker/cli-plugins" env HOME="$tmp/home" \
		"$d" mixcompose version
done
rm -rf "$tmp/home"

echo "-- install"
# The directories that exist before: the package may leave those.
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|; s|/$||' |
	while read -r p; do [ -d "$p" ] && echo "$p"; done >"$tmp/dirs-before" || true
dpkg -i "$deb" >/dev/null
dpkg -L mixcompose >"$tmp/files"
unset MIXCOMPOSE_DAEMON_LINUX MIXCOMPOSE_DAEMON_WINDOWS DOCKER_HOST DOCKER_CONTEXT

check "mixcompose version" sh -c \
	'[ "$(command -v mixcompose)" = /usr/bin/mixcompose ] && mixcompose version'
check "the plugin is in /usr/libexec/docker/cli-plugins" \
	test -x /usr/libexec/docker/cli-plugins/docker-mixcompose
check "plugin metadata" sh -c \
	'/usr/libexec/docker/cli-plugins/docker-mixcompose docker-cli-plugin-metadata |
	 grep -q "\"SchemaVersion\": \"0.1.0\""'
for d in "${clis[@]}"; do
	check "$d mixcompose version" sh -c \
		"'$d' mixcompose version | grep -qx 'mixcompose version .*'"
	check "$d mixcompose plan --offline" \
		"$d" mixcompose -f samples/lab/compose.yaml plan --offline
	check "$d --help lists mixcompose" sh -c \
		"'$d' --help | grep -E '^  mixcompose\*? +One compose project'"
	# docker's -H and --context reach the plugin as its default daemon.
	check "$d -H reaches the plugin" sh -c \
		"'$d' -H unix:///nonexistent/mixc.sock mixcompose daemons --format json |
		 grep -q 'unix:///nonexistent/mixc.sock'"
	check "$d --context reaches the plugin" \
		"$d" --context default mixcompose -f samples/lab/compose.yaml \
		plan --offline
	check "$d: --context and -H conflict" sh -c \
		"! '$d' --context default -H unix:///x mixcompose version"
done

echo "-- completions"
bashc=/usr/share/bash-completion/completions/mixcompose
complete_bash() { # WORD...: what bash completes for the last one
	bash -c 'source "$1"; shift; complete -p mixcompose >/dev/null || exit 1
		COMP_WORDS=(mixcompose "$@"); COMP_CWORD=$#
		COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
		_mixcompose; printf "%s\n" "${COMPREPLY[@]}"' _ "$bashc" "$@"
}
check "bash: complete -p" bash -c "source $bashc; complete -p mixcompose"
complete_bash -f "$fixture" up "" >"$tmp/c1"
check "bash: service names" has_lines "$tmp/c1" api web debug
complete_bash -f "$fixture" up --no- >"$tmp/c2"
check "bash: flags of up" has_lines "$tmp/c2" --no-deps --no-recreate \
	--no-build --no-start
complete_bash up -- >"$tmp/c3"
check "bash: every long flag of up" has_lines "$tmp/c3" --detach --wait \
	--timeout --pull --help
complete_bash ps --format "" >"$tmp/c4"
check "bash: --format values" has_lines "$tmp/c4" table json
complete_bash -f "$fixture" --profile "" >"$tmp/c5"
check "bash: profiles" has_lines "$tmp/c5" tools
(cd "$(dirname "$fixture")" && complete_bash logs "") >"$tmp/c7"
check "bash: the project of the directory" has_lines "$tmp/c7" api web
MIXCOMPOSE_DAEMON_LABA=unix:///x.sock complete_bash --daemon "" >"$tmp/c8"
check "bash: daemon names" has_lines "$tmp/c8" laba=
complete_bash "" >"$tmp/c9"
check "bash: commands" has_lines "$tmp/c9" up down exec version
check "zsh parses its script" zsh -n /usr/share/zsh/vendor-completions/_mixcompose
check "fish parses its script" fish -n \
	/usr/share/fish/vendor_completions.d/mixcompose.fish

echo "-- man pages"
n=0
while read -r page; do
	n=$((n + 1))
	check "groff -ww $page" sh -c \
		"groff -ww -man -Tutf8 -z '$page' 2>&1 | { ! grep .; }"
	check "man -l $page" sh -c \
		"MANWIDTH=80 man --warnings -l '$page' 2>&1 >/dev/null | { ! grep .; }"
done < <(grep -E '/man/man[15]/.*\.[15]$' "$tmp/files")
check "every command has a page ($n)" test "$n" -ge 28

echo "-- purge"
dpkg --purge mixcompose >/dev/null
left=0
while read -r p; do
	[ -e "$p" ] || [ -L "$p" ] || continue
	if [ -d "$p" ] && ! [ -L "$p" ] && grep -qxF "$p" "$tmp/dirs-before"; then
		continue
	fi
	echo "left behind: $p" >&2
	left=1
done <"$tmp/files"
check "dpkg --purge leaves nothing" test "$left" = 0

echo "package: $passes passed, $fails failed"
[ "$fails" = 0 ]
