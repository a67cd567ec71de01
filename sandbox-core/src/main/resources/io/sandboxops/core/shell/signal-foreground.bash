# Sends signal $1 to every process in the process group of shell $2 (the shell's foreground command and
# its children), but not to the shell itself unless $3 is "with-shell". Background processes were started
# with setsid, so they are in groups of their own and are spared.
sig=$1 shell=$2 with_shell=${3-}
for d in /proc/[0-9]*; do
  p=${d#/proc/}
  if [ "$p" = "$shell" ] && [ "$with_shell" != with-shell ]; then continue; fi
  IFS= read -r st < "$d/stat" 2>/dev/null || continue
  st=${st##*) }
  set -- $st
  [ "$3" = "$shell" ] && kill -s "$sig" "$p" 2>/dev/null
done
exit 0
