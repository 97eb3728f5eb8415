# Sourced, not run: Debian's own source packages, of the versions installed
# here, through a private apt configuration generated at run time from the
# machine's own Debian sources list (no registry host in the repository;
# the system's apt state is not touched).  Set DEBSRC_DIR first: the apt
# state, the downloads and the unpacked trees go under it and are reused.
#
#   debsrc_of PKG           the source package and version behind an
#                           installed binary package: "NAME VERSION"
#   debsrc_fetch NAME VER   downloads and unpacks it once; prints the tree
#   debsrc_deb SUITE PKG DEST
#                           a binary package of another Debian suite (e.g.
#                           trixie's docker.io), downloaded through its own
#                           private list and unpacked into DEST (dpkg-deb
#                           -x: nothing is installed); prints its version
#
# scripts/curl-http.sh, scripts/build-windows.sh and lab/engine.sh use it.

debsrc_apt_opts=(
	-o "Dir::Etc::SourceList=$DEBSRC_DIR/apt/sources.list"
	-o Dir::Etc::SourceParts=/dev/null
	-o "Dir::State::Lists=$DEBSRC_DIR/apt/lists"
	-o "Dir::Cache=$DEBSRC_DIR/apt/cache"
	-o Debug::NoLocking=1
	-o APT::Sandbox::User=root
)

# One deb-src line per URI and suite of the system's deb822 list.
debsrc_write_sources() {
	local src=/etc/apt/sources.list.d/debian.sources d=$DEBSRC_DIR/apt
	[ -r "$src" ] || { echo "no $src to take the mirror from" >&2; return 1; }
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
	awk '
	function flush() {
		if (uris != "" && suites != "")
			for (i = 1; i <= split(uris, u, " "); i++)
				for (j = 1; j <= split(suites, s, " "); j++)
					printf "deb-src [signed-by=%s] %s %s %s\n",
						key, u[i], s[j], comps
		uris = suites = ""; comps = "main"; key = ""
	}
	BEGIN { comps = "main" }
	/^[ \t]*$/ { flush(); next }
	/^URIs:/ { sub(/^URIs:[ \t]*/, ""); uris = $0 }
	/^Suites:/ { sub(/^Suites:[ \t]*/, ""); suites = $0 }
	/^Components:/ { sub(/^Components:[ \t]*/, ""); comps = $0 }
	/^Signed-By:/ { sub(/^Signed-By:[ \t]*/, ""); key = $0 }
	END { flush() }' "$src" >"$d/sources.list.new"
	if ! cmp -s "$d/sources.list.new" "$d/sources.list" ||
		[ -z "$(ls "$d/lists" | grep -v partial)" ]; then
		mv "$d/sources.list.new" "$d/sources.list"
		apt-get "${debsrc_apt_opts[@]}" -qq update
	fi
	rm -f "$d/sources.list.new"
}

debsrc_of() {
	dpkg-query -W -f='${source:Package} ${source:Version}\n' "$1"
}

# Downloads source package $1 at version $2 into src/dl; when the mirror
# lacks that very version, the newest other Debian revision of the same
# upstream version (said on stderr).  Prints the version it got.
debsrc_download() {
	local name=$1 ver=$2 v dl=$DEBSRC_DIR/src/dl
	[ -s "$DEBSRC_DIR/apt/sources.list" ] || debsrc_write_sources || return 1
	mkdir -p "$dl"
	for v in "$ver" $(apt-cache "${debsrc_apt_opts[@]}" showsrc "$name" 2>/dev/null |
		sed -n 's/^Version: //p' | sort -urV | grep -Fx -v "$ver" |
		grep -F "${ver%-*}-"); do
		if (cd "$dl" && apt-get "${debsrc_apt_opts[@]}" -qq source \
			--download-only "$name=$v" >/dev/null 2>&1); then
			[ "$v" = "$ver" ] ||
				echo "$name: $ver is not on the mirror; using $v" >&2
			echo "$v"
			return 0
		fi
	done
	echo "cannot download the source of $name $ver" >&2
	return 1
}

debsrc_fetch() {
	local name=$1 ver=$2 got dir src=$DEBSRC_DIR/src
	# Any Debian revision of that upstream version unpacked before.
	dir=$({ compgen -G "$src/$name-${ver#*:}" ||
		compgen -G "$src/$name-${ver%-*}-*[^p]" || true; } |
		sed -n '/\.tmp$/!{p;q}')
	if [ -z "$dir" ]; then
		got=$(debsrc_download "$name" "$ver") || return 1
		dir=$src/$name-${got#*:}
		rm -rf "$dir.tmp"
		dpkg-source --no-check -x "$src/dl/${name}_${got#*:}.dsc" \
			"$dir.tmp" >/dev/null
		mv "$dir.tmp" "$dir"
	fi
	echo "$dir"
}

# The first URI of the system's deb822 list: the mirror other suites come from.
debsrc_mirror() {
	awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources \
		2>/dev/null
}

debsrc_deb() {
	local suite=$1 pkg=$2 dest=$3 uri d=$DEBSRC_DIR/apt-$1 deb ver
	local -a opts
	uri=$(debsrc_mirror)
	[ -n "$uri" ] || { echo "no Debian mirror in the system's sources" >&2; return 1; }
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$d/dl"
	printf 'deb [signed-by=%s] %s %s main\n' \
		/usr/share/keyrings/debian-archive-keyring.gpg "$uri" "$suite" \
		>"$d/sources.list"
	opts=(-o "Dir::Etc::SourceList=$d/sources.list"
		-o Dir::Etc::SourceParts=/dev/null
		-o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache"
		-o Debug::NoLocking=1 -o APT::Sandbox::User=root -qq)
	apt-get "${opts[@]}" update >&2 || return 1
	(cd "$d/dl" && apt-get "${opts[@]}" download "$pkg" >&2) || return 1
	deb=$(ls "$d/dl/${pkg}"_*.deb | head -n 1)
	ver=$(dpkg-deb -f "$deb" Version) || return 1
	mkdir -p "$dest"
	dpkg-deb -x "$deb" "$dest" || return 1
	rm -rf "$d"
	echo "$ver"
}
