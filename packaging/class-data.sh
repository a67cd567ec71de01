#!/usr/bin/env bash
# The class-data archive (AppCDS) that lets sandboxctl and the console start without reading and verifying thousands
# of classes from their jars: a list of the classes training runs load, then an archive dumped from it, which the JVM
# maps at start (-XX:SharedArchiveFile). Java 17 has no -XX:+AutoCreateSharedArchive (JDK 19), so it is built here,
# and a Java 17 archive holds the exact class path and jar sizes and times it was dumped with: with any other, the
# JVM silently runs without it (no sharing at all). So each archive has a stamp beside it, and `current` says whether
# archive and stamp still fit the jar and the java in use.
#
#   packaging/class-data.sh train LIST JAVA CLASSPATH cli|console|all  training runs write the class list LIST
#   packaging/class-data.sh dump LIST ARCHIVE JAVA CLASSPATH             the archive for that class path, and its stamp
#   packaging/class-data.sh current ARCHIVE JAVA CLASSPATH               exit 0 when the archive fits
#   packaging/class-data.sh build cli|console JAR ARCHIVE                bin/sandboxctl and bin/console: train, then dump
#   packaging/class-data.sh installed APP_DIR                            the installed app (its postinst): the archive
#                                                                        of APP_DIR/lib/app from the list it ships
#
# Training never touches the user's files: it runs with a scratch home, starts its own emulator (and stops it by its
# pid), and makes a Docker session (closed at once) only when a Docker engine answers. The console's run needs a
# display: xvfb-run when there is one, else $DISPLAY, else the console is not trained (its archive then holds the
# classes the CLI's runs load).
set -euo pipefail

stamp() { # ARCHIVE JAVA CLASSPATH: what the archive was made for
  local java_home jars
  java_home=$(dirname "$(dirname "$(readlink -f "$(command -v "$2")")")")
  jars=$(tr ':' '\n' <<<"$3" | while read -r j; do stat -c '%n %s %Y' "$j"; done)
  printf 'java %s %s\n%s\n' "$java_home" "$(stat -c '%s %Y' "$java_home/lib/modules")" "$jars"
}

train_cli() { # LIST JAVA CLASSPATH
  local list=$1 home pid n=0 id
  home=$(mktemp -d)
  local java=("$2" -Duser.home="$home" -cp "$3" io.sandboxops.app.cli.SandboxCtl)
  one() { n=$((n + 1)); "${java[0]}" -XX:DumpLoadedClassList="$list.$n" "${java[@]:1}" "$@" >/dev/null 2>&1 || true; }
  one --version
  one --help
  one exec --help
  one rollout status --help
  "${java[0]}" -XX:DumpLoadedClassList="$list.emulator" "${java[@]:1}" emulator start >"$home/emulator.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 120); do
    [ -f "$home/.sandbox-ops/local-emulator.properties" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  one rollout status --env local
  one session list --env local
  id=$("${java[0]}" -XX:DumpLoadedClassList="$list.create" "${java[@]:1}" session create 2>/dev/null) || id=
  if [ -n "$id" ]; then
    one exec --session "$id" -- true
    one session close --session "$id"
  fi
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -rf "$home"
}

train_console() { # LIST JAVA CLASSPATH
  local list=$1 home
  home=$(mktemp -d)
  local java=("$2" -Duser.home="$home" -XX:DumpLoadedClassList="$list.console" -cp "$3" io.sandboxops.app.console.ConsoleLauncher --smoke)
  if command -v xvfb-run >/dev/null; then
    timeout 120 xvfb-run -a -s "-screen 0 1600x1000x24" "${java[@]}" >/dev/null 2>&1 || true
  elif [ -n "${DISPLAY:-}" ]; then
    timeout 120 "${java[@]}" >/dev/null 2>&1 || true
  else
    echo "class-data: no display and no xvfb-run: the console's own classes are not in its archive" >&2
  fi
  rm -rf "$home"
}

merge() { # LIST: the lists of every run, each class once
  local list=$1
  cat "$list".* 2>/dev/null | awk '!/^#/ && !seen[$0]++' >"$list"
  rm -f "$list".*
  [ -s "$list" ] || { echo "class-data: the training runs loaded no classes" >&2; exit 1; }
}

dump() { # LIST ARCHIVE JAVA CLASSPATH
  local list=$1 archive=$2 java=$3 cp=$4 tmp=$2.tmp-$$
  # Classes a list names that this class path lacks, or that cannot be archived (old class files), are skipped with
  # a warning each: expected, not a failure. Written under another name and moved, so that a launcher started
  # meanwhile never maps half an archive.
  "$java" -Xshare:dump -XX:SharedClassListFile="$list" -XX:SharedArchiveFile="$tmp" -cp "$cp" >"$archive.log" 2>&1 \
    || { rm -f "$tmp"; echo "class-data: dumping $archive failed; see $archive.log" >&2; exit 1; }
  stamp "$archive" "$java" "$cp" >"$tmp.stamp"
  mv -f "$tmp" "$archive"
  mv -f "$tmp.stamp" "$archive.stamp"
}

current() { # ARCHIVE JAVA CLASSPATH
  [ -f "$1" ] && [ -f "$1.stamp" ] && [ "$(stamp "$@")" = "$(cat "$1.stamp")" ]
}

command=$1
shift
case "$command" in
  train)
    list=$1 java=$2 cp=$3 what=$4
    rm -f "$list" "$list".*
    case "$what" in
      cli|console) "train_$what" "$list" "$java" "$cp" ;;
      all) train_cli "$list" "$java" "$cp"; train_console "$list" "$java" "$cp" ;;
      *) echo "class-data: train LIST JAVA CLASSPATH cli|console|all, not $what" >&2; exit 2 ;;
    esac
    merge "$list"
    ;;
  dump) dump "$@" ;;
  current) current "$@" ;;
  build)
    what=$1 jar=$2 archive=$3 list=${3%.jsa}.classlist
    case "$what" in
      cli|console) ;;
      *) echo "class-data: build cli|console JAR ARCHIVE, not $what" >&2; exit 2 ;;
    esac
    rm -f "$list" "$list".*
    "train_$what" "$list" java "$jar"
    merge "$list"
    dump "$list" "$archive" java "$jar"
    ;;
  installed)
    # The class path exactly as the launchers build it: their .cfg's entries, in order.
    app=$(cd "$1" && pwd)
    cp=$(sed -n 's|^app.classpath=\$APPDIR/|'"$app"'/lib/app/|p' "$app/lib/app/sandboxctl.cfg" | paste -sd:)
    dump "$app/lib/sandbox-ops.classlist" "$app/lib/app/sandbox-ops.jsa" "$app/lib/runtime/bin/java" "$cp"
    ;;
  *) echo "class-data: train, dump, current, build or installed, not $command" >&2; exit 2 ;;
esac
