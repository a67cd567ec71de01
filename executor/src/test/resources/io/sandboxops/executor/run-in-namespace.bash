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
mkdir -p /workspace /home/sandbox
status=0
unshare --mount --propagation private --pid --fork --mount-proc bash -c '
  root=$1 cp=$2
  shift 2
  mount --bind "$root/tmp" /tmp
  mount --bind "$root/workspace" /workspace
  mount --bind "$root/home" /home/sandbox
  cd /workspace
  # A container runtime hands the container user its stdio (runc chowns the pipes to it), so code in a
  # sandbox can write to the task log through /proc/1/fd/1 as it can on Cloud Run; do the same here.
  chown 1000:1000 /proc/self/fd/1 /proc/self/fd/2
  exec setpriv --reuid=1000 --regid=1000 --clear-groups \
    env SANDBOX_SCRATCH_DIR="$root/scratch" HOME=/home/sandbox \
    java -XX:-UsePerfData -XX:TieredStopAtLevel=1 -Xss512k -cp "$cp/*:$cp/classes" io.sandboxops.executor.Main "$@"
' sbx-task "$root" "$cp" "$@" || status=$?
rm -rf "$root"
exit $status
