#!/usr/bin/env bash
# Sourced by the scripts that run Windows programs or commands under wine
# (Debian's wine64: 64-bit only, no wine32).  Shared by every wine step of
# scripts/test.sh so that they use one prefix and one wineserver:
#   . scripts/wine-env.sh      then   "$WINE" PROGRAM ARGS...
# Exports WINE (the loader), WINEPREFIX (default build/wine-prefix, or the
# caller's), WINEARCH=win64, WINEDEBUG=-all; creates the prefix once
# (wineboot --init, about 10-20 s) and keeps it for the next steps.
# wine_stop stops this prefix's wineserver (by its own -k, never by name).

_wine_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

if command -v wine64 >/dev/null 2>&1; then
	WINE=$(command -v wine64)
elif [ -x /usr/lib/wine/wine64 ]; then
	WINE=/usr/lib/wine/wine64 # Debian's wine64 without the wine wrapper
else
	echo "wine-env.sh: no wine64 (scripts/deps.sh installs it)" >&2
	return 1 2>/dev/null || exit 1
fi
if command -v wineserver >/dev/null 2>&1; then
	WINESERVER=$(command -v wineserver)
else
	WINESERVER=/usr/lib/wine/wineserver
fi
export WINE WINESERVER
export WINEARCH=win64
export WINEDEBUG=${WINEDEBUG:--all}
export WINEPREFIX=${WINEPREFIX:-$_wine_top/build/wine-prefix}
# No desktop, no mono/gecko installers prompting for a download.
export WINEDLLOVERRIDES=${WINEDLLOVERRIDES:-mscoree,mshtml=}
export DISPLAY=

if [ ! -f "$WINEPREFIX/system.reg" ]; then
	mkdir -p "$WINEPREFIX"
	"$WINE" wineboot --init >/dev/null 2>&1 || true
	"$WINESERVER" -w
fi
if [ ! -f "$WINEPREFIX/system.reg" ]; then
	echo "wine-env.sh: wineboot did not create $WINEPREFIX" >&2
	return 1 2>/dev/null || exit 1
fi

wine_stop() {
	"$WINESERVER" -k 2>/dev/null || true
}
