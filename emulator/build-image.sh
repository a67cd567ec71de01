#!/bin/bash
# Builds the local cloud's image offline and tags it sandboxops/local-cloud:latest (or $IMAGE):
#   emulator/build-image.sh                      # base: sandboxops/debian-base:bookworm (local, never pulled)
#   BASE_IMAGE=debian:bookworm-slim ALLOW_PULL=1 emulator/build-image.sh
# As executor/build-image.sh: Maven runs only when a source or POM is newer than the jar, jlink only when the module
# list or the JDK changed, docker build only when the inputs' fingerprint differs from the existing image's label.
# FORCE=1 rebuilds everything; MAVEN_OFFLINE=1 runs Maven offline.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
image=${IMAGE:-sandboxops/local-cloud:latest}
base=${BASE_IMAGE:-sandboxops/debian-base:bookworm}
jdk=${JLINK_JDK:-${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}}
offline=$([ "${MAVEN_OFFLINE:-0}" = 1 ] && echo -o || true)
force=${FORCE:-0}
# jdeps --print-module-deps on the jar and lib/, plus the providers nothing names at compile time
# (jdk.naming.dns for gRPC's resolver, jdk.crypto.ec should a client library reach for TLS).
modules=${JLINK_MODULES:-java.base,java.compiler,java.desktop,java.logging,java.management,java.naming,java.net.http,java.security.jgss,java.sql,jdk.httpserver,jdk.unsupported,jdk.crypto.ec,jdk.naming.dns}
label=io.sandboxops.local-cloud.inputs

. "$repo/docker/jvm-image.sh"
base_image_id >/dev/null

version=$(sed -n 's|^    <version>\(.*\)</version>|\1|p' "$here/pom.xml" | head -1)
jar=$here/target/emulator-$version.jar
stale_sources() {
  if [ ! -f "$jar" ] || [ ! -d "$here/target/lib" ]; then
    return 0
  fi
  [ -n "$(find "$repo/pom.xml" "$here/pom.xml" "$here/src/main" -newer "$jar" -print -quit)" ]
}
if [ "$force" = 1 ] || stale_sources; then
  (cd "$repo" && ./mvnw -B -q $offline -pl emulator package -DskipTests)
fi

build_jvm_image local-cloud.jar
