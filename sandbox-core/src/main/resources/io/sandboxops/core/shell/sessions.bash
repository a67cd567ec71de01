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
  # The last good state: the slot whose meta is complete and newest (see init.bash).
  best=0 good= cwd= meta=
  for slot in 0 1; do
    { IFS= read -r -d '' seq && IFS= read -r -d '' c; } < "$d/meta.$slot" 2>/dev/null || continue
    case $seq in ''|*[!0-9]*) continue ;; esac
    [ -n "$c" ] && [ -f "$d/state.$slot" ] && [ "$seq" -gt "$best" ] && { best=$seq good=$d/state.$slot cwd=$c meta=$d/meta.$slot; }
  done
  [ -n "$good" ] && printf 'cwd\0%s\0updated\0%s\0' "$cwd" "$(stat -c %Y "$meta")"
  [ -f "$d/created" ] && { printf 'created\0'; cat "$d/created"; printf '\0'; }
  # "SEQ NUL COMMAND NUL", rewritten in place by the engine shell (see init.bash).
  if [ -f "$d/last_command" ] && { IFS= read -r -d '' n && IFS= read -r -d '' lc; } < "$d/last_command" && [ -n "$lc" ]; then
    printf 'last_command\0%s\0' "$lc"
  fi
  if [ -n "$good" ]; then
    # The state is bash the command's subshell wrote: read in a shell of its own, with a time limit, for its exported
    # variables only.
    timeout -s KILL 10 env -i bash --noprofile --norc -c 'IFS= read -r -d "" t < "$1"; eval "$t" >/dev/null 2>&1; exec env -0' sbx-env "$good" |
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
