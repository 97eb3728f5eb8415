#!/usr/bin/env bash
# A compose file of N busybox services that sleep; "chain" makes each
# depend on the one before.  Optional third argument: a platform, so that
# a second file can target the other daemon of the lab.
set -euo pipefail
n=${1:?usage: gen_flat.sh N flat|chain [PLATFORM] [PREFIX]}
shape=${2:-flat}
platform=${3:-}
prefix=${4:-s}
echo "services:"
for ((i = 0; i < n; i++)); do
	echo "  $prefix$i:"
	echo "    image: local/busybox:lab"
	echo "    command: [\"sleep\", \"3600\"]"
	[ -n "$platform" ] && echo "    platform: $platform"
	if [ "$shape" = chain ] && [ "$i" -gt 0 ]; then
		echo "    depends_on: [\"$prefix$((i - 1))\"]"
	fi
done
exit 0
