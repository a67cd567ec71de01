#!/usr/bin/env bash
# Checks a built .deb the way a laptop would meet it: unpacked into a scratch root, the console launcher
# starts under a headless X display and quits after its first frame (--smoke), and sandboxctl answers: on the PATH,
# --help on every command, its bash and zsh completions, and its man page with a section for each command. Both
# launchers map the class-data archive the postinst dumps (run here as the postinst runs it, on the scratch root).
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
[ -n "$(find "$root" -name '*.desktop')" ] || { echo "check-deb: no .desktop entry in $deb" >&2; exit 1; }
[ -n "$(find "$root" -name 'sandbox-ops.png')" ] || { echo "check-deb: no icon in $deb" >&2; exit 1; }

echo "class-data archive: dumped as the postinst does, mapped by both launchers:"
dpkg-deb -e "$deb" "$root/DEBIAN"
grep -q 'lib/class-data.sh installed' "$root/DEBIAN/postinst" || { echo "check-deb: the postinst does not dump the class-data archive" >&2; exit 1; }
grep -q 'sandbox-ops.jsa' "$root/DEBIAN/prerm" || { echo "check-deb: the prerm leaves the class-data archive behind" >&2; exit 1; }
app_root=$(dirname "$app")
"$app_root/lib/class-data.sh" installed "$app_root"
# The JVM ignores an archive that does not fit, silently; only its class-loading log tells.
archived() { # LOG CLASS: the class came from the archive
  grep -q "^\[.*\] $2 source: shared objects file" "$1" \
    || { echo "check-deb: $2 was not loaded from the class-data archive ($(grep -m1 " $2 source" "$1" || echo not loaded))" >&2; exit 1; }
}
JAVA_TOOL_OPTIONS="-Xlog:class+load:file=$root/cli-classes.log" "$app/sandboxctl" logs --list-queries --json >/dev/null 2>&1
archived "$root/cli-classes.log" io.sandboxops.app.cli.LogsCommand
echo "  sandboxctl: $(grep -c 'source: shared objects file' "$root/cli-classes.log") of $(grep -c ' source: ' "$root/cli-classes.log") classes from the archive"

echo "sandboxctl --version (installed launcher):"
"$app/sandboxctl" --version
# The installed app finds its ops resources without a source tree: they are inside its jars.
"$app/sandboxctl" logs --list-queries --json >/dev/null

echo "sandboxctl on the PATH, its completions and its man page:"
link=$root/usr/bin/sandboxctl
[ -L "$link" ] && [ "$root$(readlink "$link")" -ef "$app/sandboxctl" ] \
  || { echo "check-deb: /usr/bin/sandboxctl is not a link to the installed launcher" >&2; exit 1; }
bash_completion=$root/usr/share/bash-completion/completions/sandboxctl
zsh_completion=$root/usr/share/zsh/vendor-completions/_sandboxctl
man_page=$root/usr/share/man/man1/sandboxctl.1.gz
for f in "$bash_completion" "$zsh_completion" "$man_page"; do
  [ -s "$f" ] || { echo "check-deb: ${f#"$root"} missing or empty" >&2; exit 1; }
done

# Every command the installed sandboxctl has, from its own --help (each must answer it with exit 0 and no warning).
commands=()
list_commands() {
  local help
  help=$("$app/sandboxctl" "$@" --help 2>"$root/help-err.txt") || { echo "check-deb: sandboxctl $* --help failed" >&2; exit 1; }
  [ ! -s "$root/help-err.txt" ] || { echo "check-deb: sandboxctl $* --help wrote to stderr:" >&2; cat "$root/help-err.txt" >&2; exit 1; }
  local sub
  for sub in $(printf '%s\n' "$help" | sed -n '/^Commands:/,/^$/p' | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p; s/^  \([a-z][a-z-]*\)$/\1/p'); do
    [ "$sub" = help ] && continue
    commands+=("${*:+$* }$sub")
    list_commands "$@" "$sub"
  done
}
list_commands
[ ${#commands[@]} -gt 30 ] || { echo "check-deb: only ${#commands[@]} commands found in sandboxctl --help" >&2; exit 1; }
echo "  ${#commands[@]} commands answer --help"

# Sourcing the bash completion defines it, and it completes a subcommand and an option's values.
bash --norc -c '
  source "$1" && complete -p sandboxctl >/dev/null || exit 1
  COMP_WORDS=(sandboxctl rollout s); COMP_CWORD=2; COMP_LINE="sandboxctl rollout s"; COMP_POINT=${#COMP_LINE}
  _complete_sandboxctl 2>/dev/null; [[ " ${COMPREPLY[*]} " == *" set "* && " ${COMPREPLY[*]} " == *" status "* ]] || exit 2
  COMP_WORDS=(sandboxctl session create --backend ""); COMP_CWORD=4; COMP_LINE="sandboxctl session create --backend "
  COMP_POINT=${#COMP_LINE}; _complete_sandboxctl 2>/dev/null; [[ "${COMPREPLY[*]}" == "docker cloudrun" ]] || exit 3
' _ "$bash_completion" || { echo "check-deb: the bash completion does not complete sandboxctl (status $?)" >&2; exit 1; }
echo "  bash completion: defined, completes 'rollout s' and --backend"
if command -v zsh >/dev/null; then
  zsh -f -c 'fpath=($1 $fpath); autoload -U compinit; compinit -u -D; [[ $_comps[sandboxctl] == _sandboxctl ]]' _ "$(dirname "$zsh_completion")" \
    || { echo "check-deb: zsh does not pick up _sandboxctl from vendor-completions" >&2; exit 1; }
  echo "  zsh completion: compinit registers _sandboxctl"
else
  head -1 "$zsh_completion" | grep -qx '#compdef sandboxctl' || { echo "check-deb: _sandboxctl has no #compdef line" >&2; exit 1; }
  echo "  zsh completion: #compdef line present (no zsh here to load it)"
fi

# The man page renders without a warning and has a section for every command.
if command -v man >/dev/null; then
  rendered=$(MANWIDTH=120 man --warnings -l "$man_page" 2>"$root/man-err.txt")
else
  rendered=$(zcat "$man_page" | groff -man -ww -Tutf8 2>"$root/man-err.txt" | col -bx)
fi
[ ! -s "$root/man-err.txt" ] || { echo "check-deb: the man page has warnings:" >&2; cat "$root/man-err.txt" >&2; exit 1; }
# A here-string, not a pipe: grep -q exits at its first match, and under pipefail the writer's EPIPE would fail the
# check at random (about 1 in 700 checks here).
for c in "${commands[@]}"; do
  grep -q "^   sandboxctl $c\$" <<<"$rendered" || { echo "check-deb: the man page has no section for sandboxctl $c" >&2; exit 1; }
done
echo "  man page: renders without warnings, a section for each of the ${#commands[@]} commands"

echo "console --smoke under Xvfb (installed launcher):"
cd "$root"
JAVA_TOOL_OPTIONS="-Xlog:class+load:file=$root/console-classes.log" timeout 120 xvfb-run -a -s "-screen 0 1600x1000x24" "$app/sandbox-ops" --smoke 2>&1 \
  | grep -v '^Picked up JAVA_TOOL_OPTIONS'
archived "$root/console-classes.log" io.sandboxops.app.console.ConsoleWindow
echo "  console: $(grep -c 'source: shared objects file' "$root/console-classes.log") of $(grep -c ' source: ' "$root/console-classes.log") classes from the archive"
echo "check-deb: ok ($(du -h "$deb" | cut -f1))"
