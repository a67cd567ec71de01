# Ends a terminal (Terminal#close): $1 its record ("pid start-time", written by terminal.bash), $2 the grace period in
# tenths of a second. SIGHUP (and SIGCONT, so stopped jobs see it) to every process of the terminal's session — its
# shell, its jobs, what they started, nohup'd or in other process groups — then SIGKILL to what is left. A process
# that started a session of its own (setsid, a daemon) has left the terminal, as on any machine. Removes the record.
IFS=' ' read -r leader start < "$1" 2>/dev/null || exit 0
rm -f -- "$1"
[[ $leader =~ ^[1-9][0-9]{0,9}$ && $start =~ ^[0-9]{1,20}$ ]] || exit 0
# A process with the leader's pid but another start time: the session ended and its pid was given again (the kernel
# does not give a pid while a session or group of that id has members), so there is nothing left to end.
if IFS= read -r st < "/proc/$leader/stat" 2>/dev/null; then
  f=(${st##*) })
  [[ ${f[19]} == "$start" ]] || exit 0
fi
members() {
  local d st f
  for d in /proc/[0-9]*; do
    IFS= read -r st < "$d/stat" 2>/dev/null || continue
    f=(${st##*) })
    [[ ${f[3]} == "$leader" && ${f[0]} != Z ]] && printf '%s\n' "${d#/proc/}"
  done
}
mapfile -t pids < <(members)
(( ${#pids[@]} )) || exit 0
kill -s HUP "${pids[@]}" 2>/dev/null
kill -s CONT "${pids[@]}" 2>/dev/null
for _ in $(seq 1 "$2"); do
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
