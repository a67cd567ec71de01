#!/bin/bash
# Runs the executor the way its container would: private /tmp, /workspace and /home/sandbox (a mount
# namespace), its own process tree (a PID namespace with its own /proc, so a task cannot see another task's
# processes nor read their /proc/PID/environ, which for the same uid would hand over that session's token),
# as uid 1000, with the task's environment. Used as the emulator's process runner command in
# tests, so no image is needed. $1: a classpath readable by uid 1000; $2: a folder for per-task roots; the
# rest are the container's args. Needs root (to mount and drop privileges) and creates the empty mount points
# /workspace and /home/sandbox on the host the first time.
set -euo pipefail
cp=$1 tasks=$2
shift 2
root=$(mktemp -d "$tasks/task.XXXXXX")
chmod 755 "$root"
mkdir -p "$root/tmp" "$root/workspace" "$root/home" "$root/scratch"
chmod 1777 "$root/tmp"
chown 1000:1000 "$root/workspace" "$root/home" "$root/scratch"
# The engine shell's copies, as the image has them: root's, executable but not readable by uid 1000 (see LocalShellHost).
install -d -m 0711 "$root/engine"
install -m 0111 "$(command -v bash)" "$(command -v setsid)" "$root/engine/"
# And the JVM's launcher, as the image has /opt/java/bin/java: executable only, so the executor is not dumpable either and
# a command cannot open its descriptors (the write end of the engine shell's stdin) or read its memory. Next to the real
# launcher, which finds its JDK from its own path; made once, whole (rename).
jbin=$(readlink -f "$(command -v java)")
java_xo=${jbin%/*}/.java-exec-only
if [ ! -x "$java_xo" ] || ! cmp -s "$jbin" "$java_xo" 2>/dev/null; then
  cp "$jbin" "$java_xo.$$" && chmod 0111 "$java_xo.$$" && mv -f "$java_xo.$$" "$java_xo"
fi
mkdir -p /workspace /home/sandbox
status=0
unshare --mount --propagation private --pid --fork --mount-proc bash -c '
  root=$1 cp=$2 java_xo=$3
  shift 3
  mount --bind "$root/tmp" /tmp
  mount --bind "$root/workspace" /workspace
  mount --bind "$root/home" /home/sandbox
  cd /workspace
  # A container runtime hands the container user its stdio (runc chowns the pipes to it), so code in a
  # sandbox can write to the task log through /proc/1/fd/1 as it can on Cloud Run; do the same here.
  chown 1000:1000 /proc/self/fd/1 /proc/self/fd/2
  exec setpriv --reuid=1000 --regid=1000 --clear-groups \
    env SANDBOX_SCRATCH_DIR="$root/scratch" SANDBOX_ENGINE_DIR="$root/engine" HOME=/home/sandbox \
    "$java_xo" -XX:-UsePerfData -XX:TieredStopAtLevel=1 -Xss512k -cp "$cp/*:$cp/classes" io.sandboxops.executor.Main "$@"
' sbx-task "$root" "$cp" "$java_xo" "$@" || status=$?
rm -rf "$root"
exit $status
