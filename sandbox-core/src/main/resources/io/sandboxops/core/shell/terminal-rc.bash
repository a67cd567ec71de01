# Sandbox Ops: the start file of a terminal's interactive shell (see terminal.bash), run at its top level so that the
# saved state's declarations are global. Descriptor 4 holds the session's saved state: bash the engine wrote
# (init.bash), empty when the session has not run a command.
IFS= builtin read -r -d '' __sbx_t <&4
# The here-string that carries it adds a line feed.
__sbx_t=${__sbx_t%$'\n'}
# Plain exec: "builtin exec" undoes its redirections when it returns, and would leave both open in the shell and
# everything it starts. No function of the user's exists yet.
exec 3<&- 4<&-
PS1='\u@\h:\w\$ '
if [[ -n $__sbx_t ]]; then
  # As the engine restores it: the variables the exec started with are dropped first, so one the user unset stays unset.
  builtin mapfile -t __sbx_e < <(builtin compgen -e)
  builtin unset -v "${__sbx_e[@]}"
  builtin eval -- "$__sbx_t"
fi >/dev/null 2>&1
# A state saved by the non-interactive engine may carry its options (no line editing, no history, no job control,
# no aliases): a terminal gets an interactive shell's. The size is the terminal's, not a variable's.
builtin shopt -s expand_aliases checkwinsize
builtin set -o history -o monitor
[[ -o vi ]] || builtin set -o emacs
builtin unset -v __sbx_t __sbx_e COLUMNS LINES
builtin export TERM=xterm-256color
