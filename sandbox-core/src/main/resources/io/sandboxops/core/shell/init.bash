# Sandbox Ops: the session's engine shell, written to its stdin once when it starts (DESIGN §3).
#
# This shell never runs a user's command, and never parses what arrives on its stdin after this script. Each command
# runs in a subshell forked from it (the loop at the end), forked ahead, as soon as the previous command ended, so the
# fork is off the next command's path. The subshell reads the command (mode, dir, text: three NUL-terminated fields)
# from the stdin it shares with this shell, then lets go of that stdin before it runs anything of the user's: it
# restores the session's state, runs the command and saves what it left. This shell waits for it, so the exit status
# is the kernel's, and only then reads the command's one-time token, the line that follows, from its stdin, which no
# subshell holds any more. What a command prints, traps, redefines or makes read-only lives and dies in its subshell:
# it cannot stop this shell from reporting, and cannot produce a marker this shell would print.
#
# __sbxP stands for a prefix drawn at random for each shell (ShellSession); every name of the engine carries it.
# Fixed text otherwise: the state directory and session id arrive as environment variables, never pasted in here.
__sbxP_sd=$SBX_STATE_DIR
builtin unset SBX_STATE_DIR SBX_SESSION_ID
# A handler, not "ignore": subshells reset it to the default, so an interrupt ends the command, not this shell.
builtin trap ': interrupted' INT
builtin command mkdir -p "$__sbxP_sd/bg" 2>/dev/null
[[ -p $__sbxP_sd/stdin ]] || builtin command mkfifo "$__sbxP_sd/stdin" 2>/dev/null
# Read-write, so opening never blocks; interactive commands read their input from it, on a fixed descriptor.
exec 9<>"$__sbxP_sd/stdin"
[[ -f $__sbxP_sd/created ]] || builtin printf '%(%s)T' -1 > "$__sbxP_sd/created"
# "SEQ NUL COMMAND NUL": the command taken last, and its number, which tells this shell that its subshell took it.
# Numbered from 0 again by this shell, whose subshells count from its own state.
builtin eval 'builtin printf "0\0" 1<> "$__sbxP_sd/last_command"' 2>/dev/null
# The variables this shell started exported with: a subshell restoring a saved state drops them first, so a variable
# the user unset stays unset.
builtin mapfile -t __sbxP_vars < <(builtin compgen -e)
# The saved state: two slots written in turn, each a state file (bash, written by the command's subshell) and a meta
# file ("seq NUL cwd NUL background-pid NUL", written after it). The newest slot whose meta is complete is the last good state: a slot
# is only ever rewritten when the other holds a newer complete state, so a command killed while saving costs nothing.
__sbxP_seq=0 __sbxP_good= __sbxP_cwd=$PWD __sbxP_slot=
# The state file is written before its meta, so a complete meta means a complete state.
__sbxP_meta() { # $1 slot; sets __sbxP_mseq, __sbxP_mcwd, __sbxP_mpid from its meta file, fails when it is incomplete
  __sbxP_mseq= __sbxP_mcwd= __sbxP_mpid=
  { IFS= builtin read -r -d "" __sbxP_mseq && IFS= builtin read -r -d "" __sbxP_mcwd \
    && IFS= builtin read -r -d "" __sbxP_mpid; } 2>/dev/null < "$__sbxP_sd/meta.$1" \
    && [[ ${#__sbxP_mseq} -le 18 && -n $__sbxP_mseq && $__sbxP_mseq != *[!0-9]* && -n $__sbxP_mcwd \
      && ${#__sbxP_mpid} -le 10 && $__sbxP_mpid != *[!0-9]* ]]
}
for __sbxP_slot in 0 1; do
  if __sbxP_meta "$__sbxP_slot" && (( __sbxP_mseq % 2 == __sbxP_slot && __sbxP_mseq > __sbxP_seq )); then
    __sbxP_seq=$__sbxP_mseq __sbxP_good=$__sbxP_sd/state.$__sbxP_slot __sbxP_cwd=$__sbxP_mcwd
  fi
done
builtin cd -- "$__sbxP_cwd" 2>/dev/null
builtin unset __sbxP_slot
# Called after each command's subshell ended, with its exit status. Makes sure the subshell took its command (one
# killed before it did, by a stray signal, leaves the command's fields in the pipe: read here as data and answered as
# not run), reads the token line, takes the slot when the subshell completed it, and prints the end markers: exit
# status, background pid, 1 when the state was saved, cwd. Returns 1 when stdin ended (the client closed the session).
__sbxP_end() {
  local __sbxP_tok= __sbxP_saved=0 __sbxP_pid= __sbxP_taken= __sbxP_st=$1 __sbxP_f=
  IFS= builtin read -r -d '' __sbxP_taken 2>/dev/null < "$__sbxP_sd/last_command"
  if [[ $__sbxP_taken != "$((__sbxP_seq + 1))" ]]; then
    IFS= builtin read -r -d '' __sbxP_f && IFS= builtin read -r -d '' __sbxP_f && IFS= builtin read -r -d '' __sbxP_f || return 1
    __sbxP_st=125
  fi
  IFS= builtin read -r __sbxP_tok || return 1
  if __sbxP_meta "$__sbxP_slot" && (( __sbxP_mseq == __sbxP_seq + 1 )); then
    __sbxP_seq=$__sbxP_mseq __sbxP_good=$__sbxP_sd/state.$__sbxP_slot __sbxP_cwd=$__sbxP_mcwd __sbxP_saved=1 __sbxP_pid=$__sbxP_mpid
  fi
  builtin printf '\036SBX-END-%s:%s:%s:%s:%s\0' "$__sbxP_tok" "$__sbxP_st" "$__sbxP_pid" "$__sbxP_saved" "$__sbxP_cwd"
  builtin printf '\036SBX-END-%s\036' "$__sbxP_tok" >&2
}
# $1 the pid of a background process just started (called in a command's subshell). Its start time (clock ticks
# since boot, field 22 of its /proc stat) tells it apart from a later process with the same pid, as after a restart.
__sbxP_bg() {
  local __sbxP_st= __sbxP_f=()
  IFS= builtin read -r __sbxP_st < "/proc/$1/stat"
  IFS=' ' builtin read -r -a __sbxP_f <<< "${__sbxP_st##*) }"
  { builtin printf '%(%s)T %s\n' -1 "${__sbxP_f[19]-}"; builtin printf '%s' "$2"; } > "$__sbxP_sd/bg/$1"
} 2>/dev/null
# The EXIT trap of a command's subshell: $1 slot, $2 sequence number. Saves what the command left — variables,
# functions, aliases, shell options when they changed, cwd — into the slot's state file, then its meta. Files are
# rewritten in place (truncating a file costs ten times as much on overlayfs), so each record ends in a NUL and
# readers stop there. In POSIX mode special builtins come before functions, so a function named "unset" cannot stop
# the clean-up; functions named after what a restore calls (builtin, declare, set, shopt, alias) and the engine's own
# names are never saved, so no saved state can hijack the next restore. Bash's own read-only and dynamic variables,
# and those the subshell inherits unchanged, are left out (restoring them would fail, or reseed RANDOM). A command
# that made POSIXLY_CORRECT read-only, disabled a builtin or replaced this trap is not saved: the slot's meta is not
# written and the session keeps its last good state (the end marker says "not saved").
__sbxP_save() {
  [[ $SHELLOPTS == "$__sbxP_so" && $BASHOPTS == "$__sbxP_bo" ]] && __sbxP_x= || __sbxP_x=options
  POSIXLY_CORRECT=y 2>/dev/null
  [[ -o posix ]] || return
  set -- "$1" "$2" "$__sbxP_x" "$__sbxP_sd" "$__sbxP_skip" "${__sbxP_bgpid-}" "${-//[^eETux]}"
  unset -f builtin || return
  # The user's errexit, nounset, ERR/DEBUG traces and xtrace stop here (still in POSIX mode: set and trap are special
  # builtins no function can shadow), else a lookup that finds nothing would end the save half-written; $7 keeps them.
  set +o errexit +o errtrace +o functrace +o nounset +o xtrace
  trap - ERR DEBUG RETURN
  unset POSIXLY_CORRECT
  [[ ! -o monitor ]] || builtin set +o monitor
  [[ :$BASHOPTS: == *:extglob:* ]] && __sbx_g=1 || __sbx_g=
  builtin shopt -s extglob
  # Redirections inside eval strings: "declare -f" would print "1<>" as "<>" (stdin), should this function be saved.
  builtin eval '{ builtin compgen -v -X "$5"; builtin printf "\0"; builtin compgen -A function -X "$5"; builtin printf "\0"; } 1<> "$4/names"' \
    || return
  [[ -n $__sbx_g ]] || builtin shopt -u extglob
  { IFS= builtin read -r -d '' __sbx_n && IFS= builtin read -r -d '' __sbx_f; } < "$4/names" || return
  IFS=$'\n' builtin eval '__sbx_a=($__sbx_n) __sbx_b=($__sbx_f)'
  builtin unset -v __sbx_n __sbx_f __sbx_g
  (( ${#__sbx_a[@]} )) || __sbx_a=(PWD)
  builtin eval '{ builtin declare -p "${__sbx_a[@]}" && { (( ! ${#__sbx_b[@]} )) || builtin declare -f "${__sbx_b[@]}"; } \
    && builtin alias -p && { [[ -z $3 ]] || { builtin shopt -p && builtin set +o && { [[ -z $7 ]] || builtin printf "builtin set -%s\n" "$7"; }; }; } \
    && builtin printf "builtin cd -- %q || :\n\0" "$PWD"; } 1<> "$4/state.$1" \
    && builtin printf "%s\0%s\0%s\0" "$2" "$PWD" "$6" 1<> "$4/meta.$1"'
} 2>/dev/null
# What a saved state never holds (a pattern for compgen -X, short because it is matched against every name): the
# engine's names, bash's read-only and dynamic variables and those every subshell inherits as they are — BASH* takes
# all of bash's (a user's own BASH_ENV or BASH_XTRACEFD lasts one command).
__sbxP_skip='@(__sbx*|builtin|declare|set|shopt|alias|_|BASH*|SHELLOPTS|EUID|UID|PPID|COMP_WORDBREAKS|DIRSTACK|EPOCH*|FUNCNAME|GROUPS|HISTCMD|LINENO|OPTIND|PIPESTATUS|RANDOM|SECONDS|SRANDOM|HOSTTYPE|MACHTYPE|OSTYPE|OPTERR)'
__sbxP_so=$SHELLOPTS __sbxP_bo=$BASHOPTS

# The start: answer the hello (the token line that follows this script), then serve commands until stdin ends. One
# brace group, parsed whole before it runs, so its reads take what follows the script. Each subshell is forked as soon
# as the previous command ended and waits for its command; it holds the shared stdin only until it has read it.
{
  IFS= builtin read -r __sbxP_hello || builtin exit 0
  builtin printf '\036SBX-END-%s:0:%s:0:%s\0' "$__sbxP_hello" "$$" "$__sbxP_cwd"
  builtin printf '\036SBX-END-%s\036' "$__sbxP_hello" >&2
  while :; do
    __sbxP_slot=$(( (__sbxP_seq + 1) % 2 ))
    (
      builtin trap '' INT
      { IFS= builtin read -r -d '' __sbxP_m && IFS= builtin read -r -d '' __sbxP_d && IFS= builtin read -r -d '' __sbxP_c; } \
        || builtin exit 0
      # The client closing the session ("x"): end this shell at once (a Docker exec's stdin may never report its end).
      [[ $__sbxP_m != x ]] || { builtin kill -TERM $$; builtin exit 0; }
      # Plain exec: "builtin exec" would undo its redirections when it returns. No function of the user's exists yet.
      if [[ $__sbxP_m == i ]]; then exec 0<&9; else exec 0</dev/null; fi
      builtin eval 'builtin printf "%s\0%s\0" "$((__sbxP_seq + 1))" "$__sbxP_c" 1<> "$__sbxP_sd/last_command"' 2>/dev/null
      builtin trap "__sbxP_save $__sbxP_slot $((__sbxP_seq + 1))" EXIT
      builtin trap 'builtin exit 130' INT
      [[ -z $__sbxP_good ]] || { builtin unset -v "${__sbxP_vars[@]}"; IFS= builtin read -r -d '' __sbxP_t < "$__sbxP_good"
        builtin eval "$__sbxP_t"; } >/dev/null 2>&1
      if [[ $__sbxP_m == b ]]; then
        # setsid: its own session and process group, so interrupts and kills aimed at the foreground spare it; $$ inside
        # is its real pid, which is also $!. The inner bash execs a simple command, so the pid is the command's own.
        setsid bash -c 'exec >"/tmp/bg_$$.out" 2>&1 </dev/null; exec bash -c "$1"' sbx-bg "$__sbxP_c" &
        __sbxP_bgpid=$!
        __sbxP_bg "$__sbxP_bgpid" "$__sbxP_c"
      elif [[ -n $__sbxP_d ]]; then
        builtin cd -- "$__sbxP_d" && builtin eval -- "$__sbxP_c"
      else
        builtin eval -- "$__sbxP_c"
      fi
    )
    __sbxP_end $? || builtin exit 0
  done
}
