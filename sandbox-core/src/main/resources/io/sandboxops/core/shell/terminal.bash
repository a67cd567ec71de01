# Sandbox Ops: starts a terminal's shell (Sandbox#openTerminal), as the process of an exec on a pseudo-terminal, which
# makes it the leader of its own session. $1 the session's state directory, $2 the file that records this terminal
# for its close, $3 columns, $4 rows, $5 the start file of the interactive shell (terminal-rc.bash). Fixed text: paths
# and numbers arrive as arguments, never pasted in here. It reads the session's state and never writes it.
#
# A first byte that is neither 0, 1 nor 2: the engine client takes a stream that starts with one of those for a
# multiplexed one (stdout/stderr frames) and would garble the terminal. A carriage return at column 0 shows nothing.
printf '\r'
stty cols "$3" rows "$4" 2>/dev/null
# "pid start-time tty": the close ends this session and whatever else holds this terminal; the start time (field 22
# of /proc stat) tells this shell apart from a later process given the same pid.
tty=$(tty 2>/dev/null) || tty=-
IFS= read -r st < "/proc/$$/stat" && f=(${st##*) }) && mkdir -p -m 0700 "${2%/*}" && printf '%s %s %s\n' "$$" "${f[19]}" "$tty" > "$2" \
  || { printf 'could not record the terminal in %s; not started\r\n' "$2"; exit 125; }
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
exec bash --noprofile --rcfile /dev/fd/3 -i 3<<<"$5" 4<<<"$state"
