# Prints the saved state of the sessions under directory $1 (only those named after it, if any) as
# NUL-separated key/value pairs; "session" starts each session's record. Read by SessionDirectory.
root=$1; shift
if [ $# -eq 0 ]; then
  for d in "$root"/*/; do [ -d "$d" ] && { d=${d%/}; set -- "$@" "${d##*/}"; }; done
fi
# $1 pid, $2 its start time as recorded when it started (empty in records older than that).
running() {
  local pid=$1 ticks=$2 st
  IFS= read -r st < "/proc/$pid/stat" 2>/dev/null || return 1
  st=${st##*) }
  set -- $st
  # Alive, and still the session leader we started: a later process with the same pid (the container restarted,
  # the pids went round) started at another time.
  case $1 in Z|X|x) return 1 ;; esac
  [ "$4" = "$pid" ] && { [ -z "$ticks" ] || [ "${20}" = "$ticks" ]; }
}
for s in "$@"; do
  d=$root/$s
  [ -d "$d" ] || continue
  printf 'session\0%s\0' "$s"
  [ -f "$d/cwd" ] && { printf 'cwd\0'; cat "$d/cwd"; printf '\0'; }
  [ -f "$d/created" ] && { printf 'created\0'; cat "$d/created"; printf '\0'; }
  [ -f "$d/cwd" ] && printf 'updated\0%s\0' "$(stat -c %Y "$d/cwd")"
  [ -f "$d/last_command" ] && { printf 'last_command\0'; cat "$d/last_command"; printf '\0'; }
  if [ -f "$d/env.sh" ]; then
    env -i bash --noprofile --norc -c '. "$1" 2>/dev/null; exec env -0' sbx-env "$d/env.sh" |
      while IFS= read -r -d '' kv; do printf 'env\0%s\0' "$kv"; done
  fi
  for f in "$d"/bg/*; do
    [ -f "$f" ] || continue
    pid=${f##*/}
    { IFS=' ' read -r started ticks; cmd=$(cat; printf x); } < "$f"
    if running "$pid" "$ticks"; then r=1; else r=0; fi
    printf 'bg_pid\0%s\0bg_started\0%s\0bg_running\0%s\0bg_command\0%s\0' "$pid" "$started" "$r" "${cmd%x}"
  done
done
exit 0
