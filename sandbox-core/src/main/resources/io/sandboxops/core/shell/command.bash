{ builtin printf '%s' __sbxP_CMD > "$__sbxP_sd/last_command" 2>/dev/null
  : > "$__sbxP_sd/bg.pid" 2>/dev/null
  __sbxP_slot=$(( (__sbxP_seq + 1) % 2 ))
  (
    builtin trap "__sbxP_save $__sbxP_slot $((__sbxP_seq + 1))" EXIT
    builtin trap 'builtin exit 130' INT
    if [[ -n $__sbxP_good ]]; then
      builtin unset -v "${__sbxP_vars[@]}" 2>/dev/null
      builtin source "$__sbxP_good" >/dev/null 2>&1
    fi
    __sbxP_RUN
  ) __sbxP_STDIN
  __sbxP_end $? $__sbxP_slot __sbxP_PID
}
