# Sandbox Ops: starts a terminal's shell (Sandbox#openTerminal), as the process of an exec on a pseudo-terminal, which
# makes it the leader of its own session. $1 the session's state directory, $2 columns, $3 rows, $4 the start file of
# the interactive shell (terminal-rc.bash). Fixed text: paths and numbers arrive as arguments, never pasted in here.
# It reads the session's state and never writes it.
#
# The first line, which the client reads and removes before anything of the user's runs: "sbx-terminal PID START TTY",
# what the terminal's close needs (its session, the start time — field 22 of /proc stat — that tells this shell apart
# from a later process with the same pid, and the terminal's device). In the stream, not in a file, so that nothing in
# the sandbox can change it. It also makes the stream's first byte one other than 0, 1 or 2, which the engine client
# would take for the start of a multiplexed (stdout/stderr) stream.
tty=$(tty 2>/dev/null) || tty=-
IFS= read -r st < "/proc/$$/stat" && f=(${st##*) }) || exit 125
printf 'sbx-terminal %s %s %s\n' "$$" "${f[19]}" "$tty"
stty cols "$2" rows "$3" 2>/dev/null
# The last good state, chosen as the engine shell chooses it (init.bash): the newest slot whose meta is complete.
seq=0 good= state=
for slot in 0 1; do
  { IFS= read -r -d '' m && IFS= read -r -d '' c && IFS= read -r -d '' p; } 2>/dev/null < "$1/meta.$slot" || continue
  [[ ${#m} -le 18 && -n $m && $m != *[!0-9]* && -n $c && ${#p} -le 10 && $p != *[!0-9]* ]] || continue
  (( m % 2 == slot && m > seq )) && seq=$m good=$1/state.$slot
done
# Read now, whole: the engine may rewrite the other slot at any time, and this one once the other is newer.
[[ -z $good ]] || IFS= read -r -d '' state < "$good"
# The start file on descriptor 3, the state on 4; the start file closes both. Nothing of this shell's own variables
# is exported, so the interactive shell starts with the exec's environment only.
exec bash --noprofile --rcfile /dev/fd/3 -i 3<<<"$4" 4<<<"$state"
