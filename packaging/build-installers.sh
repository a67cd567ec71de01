#!/usr/bin/env bash
# Builds the ops-laptop installers with jlink and jpackage; `./mvnw -Ppackage -pl app -am package` calls it:
#   packaging/build-installers.sh APP_JAR LIB_DIR DEST_DIR VERSION [TYPE...]
# APP_JAR is the app module's own (unshaded) jar, LIB_DIR holds every library jar. The app image is always built; TYPEs are the
# installers made from it, by default this OS's: deb on Linux, msi on Windows, dmg on macOS (each OS builds
# only its own; see packaging/README.md).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
app_jar=$1 libs=$2 dest=$3 version=$4
shift 4
jdk=${JPACKAGE_JDK:-${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}}
case "$(uname -s)" in
  Linux) os=linux; default_types="deb" ;;
  Darwin) os=macos; default_types="dmg" ;;
  MINGW*|MSYS*|CYGWIN*) os=windows; default_types="msi" ;;
  *) echo "build-installers: unknown OS $(uname -s)" >&2; exit 2 ;;
esac
types=${*:-$default_types}
work=$(dirname "$dest")/jpackage-work
rm -rf "$work" "$dest"
mkdir -p "$work/input" "$dest"
input=$work/input
cp "$libs"/*.jar "$input/"
cp "$app_jar" "$input/sandbox-ops-app.jar"

echo "jlink: a runtime with only the modules the app needs"
"$jdk/bin/jlink" --output "$work/runtime" --add-modules "$(tr -d ' \n' < "$here/modules.txt")" \
  --strip-debug --no-header-files --no-man-pages --compress=2

common=(--name sandbox-ops --app-version "$version" --vendor "Sandbox Ops"
        --description "Operate AI-agent sandboxes on Docker and Cloud Run Jobs: sessions, files, rollout and rollback."
        --copyright "Sandbox Ops")
# One option or value a line, so values may hold spaces.
mapfile -t options < <(grep -v -e '^#' -e '^$' "$here/$os/jpackage.options")

# The classes the CLI's and the console's training runs load (packaging/class-data.sh): the installed app dumps its
# class-data archive from this list where it is installed (a Java 17 archive holds the jars' exact paths), and both
# launchers map it.
echo "class-data: training runs of sandboxctl and the console for the list of classes to archive"
"$here/class-data.sh" train "$work/sandbox-ops.classlist" "$work/runtime/bin/java" "$input/*" all
echo "jpackage: app-image (the console and sandboxctl launchers, the runtime, the jars)"
"$jdk/bin/jpackage" --type app-image "${common[@]}" --dest "$dest" \
  --input "$input" --main-jar sandbox-ops-app.jar --main-class io.sandboxops.app.console.ConsoleLauncher \
  --java-options "$(sed -n 's/^java-options=//p' "$here/$os/console.properties")" \
  --runtime-image "$work/runtime" --add-launcher "sandboxctl=$here/$os/sandboxctl.properties" \
  --icon "$here/icons/sandbox-ops.png"
image=$(ls -d "$dest"/sandbox-ops* | head -1)
install -m 644 "$work/sandbox-ops.classlist" "$image/lib/sandbox-ops.classlist"
install -m 755 "$here/class-data.sh" "$image/lib/class-data.sh"
shell_files=$work/shell-files

# jpackage installs only under its own directory (/opt/sandbox-ops); what a shell and man look for lives under /usr.
# So the .deb jpackage built is opened and built again with sandboxctl on the PATH, its bash and zsh completions
# and its man page, each a file of the package (dpkg removes them with it); and with the class-data archive dumped
# once installed (postinst; where the jars now are) and removed with the package (prerm).
add_shell_files_to_deb() {
  local deb=$1 tree=$work/deb-tree launcher
  rm -rf "$tree"
  dpkg-deb -R "$deb" "$tree"
  launcher=$(cd "$tree" && find . -path '*/bin/sandboxctl' -type f | head -1 | sed 's|^\.||')
  [ -n "$launcher" ] || { echo "build-installers: no sandboxctl launcher in $deb" >&2; exit 1; }
  install -D -m 644 "$shell_files/sandboxctl.bash" "$tree/usr/share/bash-completion/completions/sandboxctl"
  install -D -m 644 "$shell_files/_sandboxctl" "$tree/usr/share/zsh/vendor-completions/_sandboxctl"
  install -D -m 644 "$shell_files/sandboxctl.1.gz" "$tree/usr/share/man/man1/sandboxctl.1.gz"
  mkdir -p "$tree/usr/bin"
  ln -sfn "$launcher" "$tree/usr/bin/sandboxctl"
  local app_dir=${launcher%/bin/sandboxctl}
  sed -i "/^    configure)\$/a $app_dir/lib/class-data.sh installed $app_dir \\
    || echo \"sandbox-ops: no class-data archive, so it starts slower; $app_dir/lib/class-data.sh installed $app_dir makes it\" >\&2" \
    "$tree/DEBIAN/postinst"
  sed -i "/^    remove|upgrade|deconfigure)\$/a rm -f $app_dir/lib/app/sandbox-ops.jsa $app_dir/lib/app/sandbox-ops.jsa.stamp $app_dir/lib/app/sandbox-ops.jsa.log" \
    "$tree/DEBIAN/prerm"
  grep -q class-data.sh "$tree/DEBIAN/postinst" && grep -q sandbox-ops.jsa "$tree/DEBIAN/prerm" \
    || { echo "build-installers: could not add the class-data archive to the postinst and prerm of $deb" >&2; exit 1; }
  if [ -f "$tree/DEBIAN/md5sums" ]; then
    (cd "$tree" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) > "$tree/DEBIAN/md5sums"
  fi
  sed -i "s/^Installed-Size:.*/Installed-Size: $(du -sk --exclude=DEBIAN "$tree" | cut -f1)/" "$tree/DEBIAN/control"
  dpkg-deb --root-owner-group -b "$tree" "$deb" >/dev/null
  rm -rf "$tree"
}

# Installers are made from that image, so every one carries the same two launchers.
for type in $types; do
  [ "$type" = app-image ] && continue
  echo "jpackage: $type"
  icon=()
  [ "$os" = linux ] && icon=(--icon "$here/icons/sandbox-ops.png")
  "$jdk/bin/jpackage" --type "$type" "${common[@]}" --dest "$dest" --app-image "$image" "${icon[@]}" "${options[@]}"
  if [ "$type" = deb ]; then
    echo "deb: adding /usr/bin/sandboxctl, its bash and zsh completions and its man page (generated from the command"
    echo "     tree of the jars being packaged)"
    "$jdk/bin/java" -cp "$input/*" io.sandboxops.app.cli.ShellFiles "$shell_files"
    for deb in "$dest"/*.deb; do add_shell_files_to_deb "$deb"; done
  fi
done
ls -la "$dest"
