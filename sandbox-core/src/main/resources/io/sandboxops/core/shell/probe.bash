# Prints the state letter of process $1 (R, S, D, T, t, Z...) from its /proc stat, or "gone".
IFS= read -r st < "/proc/$1/stat" 2>/dev/null || { echo gone; exit 0; }
st=${st##*) }
echo "${st%% *}"
