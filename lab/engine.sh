# shellcheck shell=bash
# Sourced, not run: the lab's two Docker engine versions (issue 11).
#
#   20.10  Debian 12's docker.io (dockerd 20.10.24, API 1.41), installed by
#          scripts/deps.sh: /usr/sbin/dockerd
#   26.1   Debian trixie's docker.io (dockerd 26.1.5, API 1.45), fetched
#          once as a .deb through a private apt list (scripts/debsrc.sh,
#          the mirror read from the system's own sources) and unpacked, not
#          installed, under ENGINE_CACHE; it runs with Debian 12's
#          containerd and runc, and with its own docker-proxy.
#
#   engine_check VER      fails with a message for an unknown version
#   engine_dockerd VER    prints the dockerd binary of VER (fetches 26.1)
#   engine_args VER       prints the extra dockerd arguments VER needs,
#                         one a line
#   engine_of_pid PID     the engine version a running dockerd is (by its
#                         binary)
#
# The lab's defaults: "linux" (host a) 20.10, "windows" (host b) 26.1.

readonly ENGINE_VERSIONS="20.10 26.1"
ENGINE_CACHE=${MIXLAB_ENGINE_CACHE:-/var/cache/mixlab/engines}

engine_check() {
	case " $ENGINE_VERSIONS " in
	*" $1 "*) return 0 ;;
	esac
	echo "unknown engine version '$1' (one of: $ENGINE_VERSIONS)" >&2
	return 1
}

engine_root() { printf '%s/docker.io-%s\n' "$ENGINE_CACHE" "$1"; }

# engine_fetch VER: the unpacked package of VER under ENGINE_CACHE, once;
# a lock keeps two callers from fetching at the same time.
engine_fetch() {
	local ver=$1 root got
	root=$(engine_root "$ver")
	[ -x "$root/usr/sbin/dockerd" ] && return 0
	mkdir -p "$ENGINE_CACHE"
	(
		flock 8
		[ -x "$root/usr/sbin/dockerd" ] && exit 0
		rm -rf "$root.tmp"
		# shellcheck source=scripts/debsrc.sh
		export DEBSRC_DIR=$ENGINE_CACHE
		. "$(dirname "${BASH_SOURCE[0]}")/../scripts/debsrc.sh"
		got=$(debsrc_deb trixie docker.io "$root.tmp") || exit 1
		case $got in
		"$ver".*) ;;
		*)
			echo "trixie's docker.io is $got, not $ver.x" >&2
			rm -rf "$root.tmp"
			exit 1
			;;
		esac
		printf '%s\n' "$got" >"$root.tmp/VERSION"
		mv "$root.tmp" "$root"
	) 8>"$ENGINE_CACHE/.lock"
}

engine_dockerd() {
	engine_check "$1" || return 1
	case $1 in
	20.10) echo /usr/sbin/dockerd ;;
	*)
		engine_fetch "$1" || return 1
		echo "$(engine_root "$1")/usr/sbin/dockerd"
		;;
	esac
}

engine_args() {
	case $1 in
	20.10) ;;
	*) printf -- '--userland-proxy-path=%s\n' \
		"$(engine_root "$1")/usr/sbin/docker-proxy" ;;
	esac
}

engine_of_pid() {
	local exe
	exe=$(readlink "/proc/$1/exe" 2>/dev/null) || return 1
	case $exe in
	/usr/sbin/dockerd) echo 20.10 ;;
	"$ENGINE_CACHE"/docker.io-*/usr/sbin/dockerd)
		exe=${exe#"$ENGINE_CACHE"/docker.io-}
		echo "${exe%%/*}"
		;;
	*) echo unknown ;;
	esac
}
