#!/bin/bash
# Google's official Node.js clients against the local cloud (local-cloud.test.js), run by `./mvnw verify` in the
# emulator module's integration-test phase. Skipped, saying why, when node or npm is missing or when asked
# (-DskipTests, -DskipITs, -Dnode.tests.skip). Installs exactly package-lock.json's versions (npm ci).
#   run-node-tests.sh JAVA CLASSPATH [SKIP-FLAG...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
java=$1
classpath=$2
shift 2
for flag in "$@"; do
  if [ "$flag" = true ]; then
    echo "Node client tests: skipped (tests skipped for this build)."
    exit 0
  fi
done
for tool in node npm; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "Node client tests: SKIPPED, '$tool' is not on the PATH. Install Node.js 20 or newer (with npm) to run"
    echo "Google's Node.js clients against the emulator (emulator/src/test/node)."
    exit 0
  fi
done
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
  echo "Node client tests: SKIPPED, node $(node --version) is older than 20, which the pinned clients need."
  exit 0
fi
cd "$here"
echo "Node client tests: node $(node --version), npm $(npm --version)"
npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
LOCAL_CLOUD_JAVA=$java LOCAL_CLOUD_CLASSPATH=$classpath npm test
