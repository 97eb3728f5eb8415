#!/usr/bin/env bash
# The README's test command: installs everything, builds with warnings as
# errors, runs the unit tests, runs them again under ASan+UBSan, starts the
# two-daemon lab and runs the integration tests against it, then takes the
# lab down again, whatever happened.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

bash scripts/deps.sh

echo "== module arrows (shared/STYLE.md)"
bash scripts/check_includes.sh
# Criterion 2.4 fails a run that logged any warning, every test passed or
# not: tests log their figures at info.
if grep -rn 'cr_log_warn\|CR_LOG_WARNING' tests/; then
	echo "tests log at info, never at warning (Criterion fails the run)" >&2
	exit 1
fi

echo "== build (warnings are errors)"
bash scripts/build.sh build RelWithDebInfo

echo "== unit tests"
ctest --test-dir build -L unit --output-on-failure

echo "== config against compose v2 (a differential test: samples and fixtures)"
bash scripts/v2-diff.sh build

echo "== README's table of commands and flags against compose v2"
bash scripts/compose-table.sh --check build/mixcompose

echo "== README's keys section against the schema"
bash scripts/keys-table.sh --check

echo "== Kubernetes manifests of translate against Kubernetes' schemas (npm)"
bash scripts/k8s_check.sh build

echo "== the Debian package: install, plugin, completions, man pages, purge"
bash scripts/test_package.sh

echo "== unit tests under ASan+UBSan"
bash scripts/build.sh build-asan Asan
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	ctest --test-dir build-asan -L unit --output-on-failure

echo "== the loader's fuzz target builds and runs (clang, libFuzzer, 20 s)"
FUZZ_BUILD_DIR="$top/build-fuzz" bash scripts/fuzz.sh 20

echo "== wine: the hosts block command of a Windows container, by cmd.exe"
# One wine prefix (build/wine-prefix) for every wine step: scripts/wine-env.sh.
bash scripts/wine-hosts.sh build

# Takes the lab down and fails the run if anything of it is left: a bridge,
# the DOCKER-USER rule, a mount, a directory or a daemon socket; or, in the
# root namespace, an orphan veth pair or an interface in lab/hosts.sh's
# ranges (`lab/mixlab strays`; `down` has swept what dead daemons left).
lab_down() {
	local rc=$?
	lab/mixlab down || rc=1
	lab/mixlab strays || rc=1
	if ip link show mixlab-lnx >/dev/null 2>&1 ||
		ip link show mixlab-win >/dev/null 2>&1 ||
		iptables -C DOCKER-USER -s 172.30.0.0/16 -d 172.30.0.0/16 \
			-j ACCEPT >/dev/null 2>&1 ||
		findmnt -rn -o TARGET | grep -qE '^(/var/lib/mixlab|/run/mixlab)' ||
		[ -e /var/lib/mixlab ] || [ -e /run/mixlab ] ||
		ip -o -4 addr show | grep -qE 'br-[0-9a-f]+ +inet 172\.27\.'; then
		echo "lab/mixlab down left something behind" >&2
		rc=1
	fi
	exit "$rc"
}

{
	echo "== integration tests on the two-daemon lab"
	# A lab that was already up (someone is using it) is left up; one this
	# script starts is taken down again, whatever happens, and `down` then
	# leaves no process, rule, bridge, mount or directory behind.
	if lab/mixlab status >/dev/null 2>&1; then
		lab/mixlab up
	else
		# A session that was stopped may have left a dead lab behind
		# (bridges, rules, mounts): clear it before starting afresh.
		lab/mixlab down >/dev/null 2>&1 || true
		trap lab_down EXIT
		lab/mixlab up
	fi
	lab/mixlab status
	ctest --test-dir build -L integration --output-on-failure
	echo "== lab/mixlab sweep: orphan veth pairs and bridges in lab/hosts.sh's ranges, nothing else"
	ctest --test-dir build -L sweep --output-on-failure
	echo "== containers under compose v2 and mixcompose: HostConfig and Config"
	bash scripts/v2-inspect.sh build
	echo "== two hosts, two engines (20.10, 26.1): both address modes (lab/hosts.sh)"
	ctest --test-dir build -L hosts --output-on-failure
	echo "== Swarm: the translated lab sample on two namespace hosts (lab/hosts.sh)"
	ctest --test-dir build -L swarm --output-on-failure
	# Nothing of the two hosts may be left: namespace, veth, mount,
	# directory, cgroup, daemon process; in the root namespace no
	# interface in their ranges and no orphan veth pair.
	lab/hosts.sh left
	echo "== the main commands under valgrind"
	bash scripts/valgrind.sh
	echo "== the Windows build under wine (cross build, smoke, unit, end to end)"
	bash scripts/test-wine.sh build-win
}
