#!/usr/bin/env bash
# Checks a built .deb the way a laptop would meet it: unpacked into a scratch root, the console launcher
# starts under a headless X display and quits after its first frame (--smoke), and sandboxctl answers.
#   packaging/linux/check-deb.sh path/to/sandbox-ops_VERSION_amd64.deb
set -euo pipefail
deb=$(readlink -f "$1")
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
dpkg-deb --info "$deb" | sed -n 's/^ *\(Package\|Version\|Installed-Size\|Depends\):/  \1:/p'
dpkg-deb -x "$deb" "$root"
app=$(dirname "$(find "$root" -path '*/bin/sandbox-ops' -type f | head -1)")
[ -x "$app/sandbox-ops" ] || { echo "check-deb: no sandbox-ops launcher in $deb" >&2; exit 1; }
[ -x "$app/sandboxctl" ] || { echo "check-deb: no sandboxctl launcher in $deb" >&2; exit 1; }
find "$root" -name '*.desktop' | grep -q . || { echo "check-deb: no .desktop entry in $deb" >&2; exit 1; }
find "$root" -name 'sandbox-ops.png' | grep -q . || { echo "check-deb: no icon in $deb" >&2; exit 1; }

echo "sandboxctl --version (installed launcher):"
"$app/sandboxctl" --version
# The installed app finds its ops resources without a source tree: they are inside its jars.
"$app/sandboxctl" logs --list-queries --json >/dev/null

echo "console --smoke under Xvfb (installed launcher):"
cd "$root"
timeout 120 xvfb-run -a -s "-screen 0 1600x1000x24" "$app/sandbox-ops" --smoke
echo "check-deb: ok ($(du -h "$deb" | cut -f1))"
