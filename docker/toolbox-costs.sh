#!/bin/bash
# What each tool of docker/sandbox/toolbox.packages costs in the sandbox image: installed alone on the Debian base
# (with --no-install-recommends, then trimmed as the image is: no docs, man pages, translations, apt cache), the
# bytes it adds with its dependencies, and the packages it brings. Prints a Markdown table (docker/README.md holds
# the last one). Needs the base image and Debian's mirror (the host's network); takes a few minutes.
#   docker/toolbox-costs.sh [BASE_IMAGE]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
base=${1:-sandboxops/debian-base:bookworm}
lists=sandboxops/toolbox-costs:lists
trim='rm -rf /var/cache/apt/* /var/log/apt/* /usr/share/locale/* /usr/share/doc/* /usr/share/man/* /usr/share/info/*'
size='du -sxb / | cut -f1'

# One container updates apt's lists; each measurement starts from that image, trimmed, so only the package counts.
cid=$(docker create --network host "$base" sh -c "apt-get update -q >/dev/null && $trim")
docker start -a "$cid" >/dev/null
docker commit "$cid" "$lists" >/dev/null
docker rm "$cid" >/dev/null
# -f: a --rm container may still be on its way out when the last measurement returns.
trap 'docker rmi -f "$lists" >/dev/null' EXIT

measure() {
  docker run --rm --network host -e DEBIAN_FRONTEND=noninteractive "$lists" sh -c "
    before=\$($size); n0=\$(dpkg-query -W | wc -l)
    apt-get install -y -q --no-install-recommends $* >/dev/null && $trim
    echo \$(( \$($size) - before )) \$(( \$(dpkg-query -W | wc -l) - n0 ))"
}

mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1e6 }'; }
echo "| package | adds alone (MB) | packages it brings |"
echo "|---|---:|---:|"
packages=$(grep -v '^#' "$here/sandbox/toolbox.packages")
for p in $packages; do
  read -r bytes count < <(measure "$p")
  if [ "$count" = 0 ]; then
    echo "| $p | 0 (in the base) | 0 |"
  else
    echo "| $p | $(mb "$bytes") | $count |"
  fi
done
read -r bytes count < <(measure $packages)
echo "| **all of them** (shared dependencies counted once) | **$(mb "$bytes")** | **$count** |"
