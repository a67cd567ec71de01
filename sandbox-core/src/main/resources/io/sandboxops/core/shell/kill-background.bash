# Ends the background processes whose pids follow $1 (the grace period in tenths of a second): SIGTERM to
# each one's process group, SIGKILL to what is left after the grace period. Prints the pids that were
# running, one per line.
grace=$1; shift
alive() {
  local st
  IFS= read -r st < "/proc/$1/stat" 2>/dev/null || return 1
  st=${st##*) }
  set -- $st
  case $1 in Z|X|x) return 1 ;; esac
  return 0
}
targets=()
for p in "$@"; do
  if alive "$p"; then targets+=("$p"); kill -s TERM -- "-$p" 2>/dev/null || kill -s TERM "$p" 2>/dev/null; fi
done
for _ in $(seq 1 "$grace"); do
  left=0
  for p in "${targets[@]}"; do alive "$p" && left=1; done
  [ $left -eq 0 ] && break
  sleep 0.1
done
for p in "${targets[@]}"; do
  alive "$p" && { kill -s KILL -- "-$p" 2>/dev/null || kill -s KILL "$p" 2>/dev/null; }
  printf '%s\n' "$p"
done
exit 0
