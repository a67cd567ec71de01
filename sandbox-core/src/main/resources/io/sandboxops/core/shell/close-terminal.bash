# Ends a terminal (Terminal#close): $1 the pid of its shell, the leader of its session, $2 that shell's start time, $3
# its terminal device, as the terminal's first line told them (terminal.bash), $4 the grace period in tenths of a
# second. SIGHUP (and SIGCONT, so stopped jobs see it) to every process of the terminal's session — its shell, its
# jobs, what they started, nohup'd or in other process groups — and, while the shell runs, to every process that holds
# the terminal open (one that left the session with setsid but still reads or writes the terminal); then SIGKILL to
# what is left. A process that left both the session and the terminal has detached, as a daemon does on any machine:
# it stays a process of the sandbox. Runs as the sandbox user.
leader=$1 start=$2 tty=$3
[[ $leader =~ ^[1-9][0-9]{0,9}$ && $start =~ ^[0-9]{1,20}$ ]] || exit 0
[[ $tty =~ ^/dev/pts/[0-9]{1,9}$ ]] || tty=
# A process with the leader's pid but another start time: the session ended and its pid was given again (the kernel
# does not give a pid while a session or group of that id has members), so there is nothing left to end. With the
# leader gone, its terminal may already be another's: then only the session counts.
if IFS= read -r st < "/proc/$leader/stat" 2>/dev/null; then
  f=(${st##*) })
  [[ ${f[19]} == "$start" ]] || exit 0
else
  tty=
fi
# Prints the pids to end: the session's members, and with $1 set those that hold the terminal open, listed once, at
# the start, while the terminal is surely this one (once its shell has exited, the engine may give it to another).
# Later rounds take the session's members and those first holders still there.
members() {
  local d st f fd
  for d in /proc/[0-9]*; do
    IFS= read -r st < "$d/stat" 2>/dev/null || continue
    f=(${st##*) })
    [[ ${f[0]} != Z ]] || continue
    if [[ ${f[3]} == "$leader" ]]; then
      printf '%s\n' "${d#/proc/}"
    elif [[ -n $1 ]]; then
      for fd in "$d"/fd/*; do
        [[ $fd -ef $1 ]] && { printf '%s\n' "${d#/proc/}"; break; }
      done
    elif [[ " ${held[*]} " == *" ${d#/proc/} "* ]]; then
      printf '%s\n' "${d#/proc/}"
    fi
  done
}
held=()
mapfile -t pids < <(members "$tty")
held=("${pids[@]}")
(( ${#pids[@]} )) || exit 0
kill -s HUP "${pids[@]}" 2>/dev/null
kill -s CONT "${pids[@]}" 2>/dev/null
for _ in $(seq 1 "$4"); do
  mapfile -t pids < <(members)
  (( ${#pids[@]} )) || exit 0
  sleep 0.1
done
# Again until none is left: a process may fork between the listing and the kill.
for _ in 1 2 3 4 5; do
  mapfile -t pids < <(members)
  (( ${#pids[@]} )) || exit 0
  kill -s KILL "${pids[@]}" 2>/dev/null
  sleep 0.05
done
exit 0
