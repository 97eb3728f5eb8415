#!/usr/bin/env bash
# Installs what mixcompose needs to build, test and run its lab, on Debian 12
# as root.  Safe to run again: apt-get skips what is already there.
set -euo pipefail

pkgs=(
	# build
	cmake make gcc clang pkg-config
	# scripts/curl-http.sh unpacks Debian's curl source with dpkg-source
	dpkg-dev
	libyaml-dev libcurl4-openssl-dev libcjson-dev libpcre2-dev
	libcriterion-dev libarchive-dev
	# sanitizers and fuzzing (clang's runtime)
	libclang-rt-14-dev
	# the lab: real daemons and images built without a registry
	docker.io iptables busybox-static nginx-light
	# a private registry on loopback for the pull_policy tests
	docker-registry
	# TLS and ssh transports, tested for real on loopback
	openssl openssh-server openssh-client
	# the peer for benchmarks, and tools the tests and benchmarks use
	valgrind docker-compose curl hyperfine jq procps iproute2 time bc graphviz
	# Windows: the cross build (mingw-w64; the libraries from Debian's source
	# packages through dpkg-source), its zip, and its tests under wine with
	# relays (scripts/wine-env.sh, scripts/test-wine.sh)
	wine64 gcc-mingw-w64-x86-64 ninja-build zip unzip socat
	# Kubernetes' schemas from npm (kubernetes-models) check translate's output
	nodejs
	# the Debian package (cpack, dpkg-shlibdeps), its man pages and shells
	dpkg-dev man-db groff-base zsh fish
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# npm: Debian's package, unless the installed nodejs brings its own.
if ! command -v npm >/dev/null 2>&1; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -qq --no-install-recommends npm >/dev/null
fi
