#!/bin/bash
# Fails when an image is over the size budget (docker/README.md): 450 MB each, as `docker image inspect -f '{{.Size}}'`
# counts (decimal MB, as `docker images` shows). CI runs it after building the images.
#   docker/check-image-budget.sh IMAGE...         # IMAGE_BUDGET_MB overrides the budget
set -euo pipefail
budget_mb=${IMAGE_BUDGET_MB:-450}
status=0
for image in "$@"; do
  if ! bytes=$(docker image inspect -f '{{.Size}}' "$image" 2>/dev/null); then
    echo "image budget: $image is not in the local Docker engine; build it first (.ci/run builds them all)" >&2
    status=1
    continue
  fi
  mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }')
  if [ "$bytes" -gt $(( budget_mb * 1000000 )) ]; then
    echo "image budget: $image is $mb MB, over the $budget_mb MB budget; see docker/README.md for what each tool costs" >&2
    status=1
  else
    echo "image budget: $image is $mb MB (budget $budget_mb MB)"
  fi
done
exit $status
