# Sandbox Ops: the preamble of every session shell, written to its stdin once when it starts.
# Fixed text: the state directory and session id arrive as environment variables, never pasted in here.
__sbx_sd=$SBX_STATE_DIR
unset SBX_STATE_DIR SBX_SESSION_ID
# An interrupt reaches the shell and its command together, as Ctrl-C would. A handler (not "ignore") keeps
# the shell alive and lets children die of it; "break 1000" leaves the loop every command is wrapped in, so
# the rest of the interrupted command line is skipped, even a loop of builtins.
trap '__sbx_intr=130; break 1000 2>/dev/null' INT
builtin command mkdir -p "$__sbx_sd/bg" 2>/dev/null
[ -p "$__sbx_sd/stdin" ] || builtin command mkfifo "$__sbx_sd/stdin" 2>/dev/null
# Read-write, so opening never blocks; interactive commands read their input from it.
exec {__sbx_in}<>"$__sbx_sd/stdin"
[ -f "$__sbx_sd/created" ] || builtin printf '%(%s)T' -1 > "$__sbx_sd/created"
__sbx_save() {
  builtin printf '%s' "$PWD" > "$__sbx_sd/cwd"
  builtin export -p > "$__sbx_sd/env.sh"
} 2>/dev/null
__sbx_begin() {
  builtin printf '%s' "$__sbx_cmd" > "$__sbx_sd/last_command"
} 2>/dev/null
# $1 the pid of a background process just started. Its start time (clock ticks since boot, field 22 of its
# /proc stat) tells it apart from a later process with the same pid, as after a restart of the container.
__sbx_bg() {
  local __sbx_st= __sbx_f=()
  IFS= builtin read -r __sbx_st < "/proc/$1/stat"
  IFS=' ' builtin read -r -a __sbx_f <<< "${__sbx_st##*) }"
  { builtin printf '%(%s)T %s\n' -1 "${__sbx_f[19]-}"; builtin printf '%s' "$__sbx_cmd"; } > "$__sbx_sd/bg/$1"
} 2>/dev/null
# $1 token, $2 exit status, $3 background pid (or the shell's pid at start-up).
__sbx_end() {
  __sbx_save
  builtin printf '\036SBX-END-%s:%s:%s:%s\0' "$1" "$2" "${3-}" "$PWD"
  builtin printf '\036SBX-END-%s\036' "$1" >&2
}
trap '__sbx_save' EXIT
# Restore what an earlier shell of this session left: exported variables (exactly those), then the cwd.
if [ -f "$__sbx_sd/env.sh" ]; then
  for __sbx_v in $(compgen -e); do builtin unset "$__sbx_v" 2>/dev/null; done
  builtin source "$__sbx_sd/env.sh" 2>/dev/null
  builtin unset __sbx_v
fi
if [ -f "$__sbx_sd/cwd" ]; then
  IFS= builtin read -r -d '' __sbx_cwd < "$__sbx_sd/cwd"
  builtin cd -- "$__sbx_cwd" 2>/dev/null || builtin cd 2>/dev/null
  builtin unset __sbx_cwd
fi
