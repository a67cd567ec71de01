#!/bin/bash
# Builds the executor image offline and tags it sandboxops/executor:latest (or $IMAGE):
#   executor/build-image.sh                      # base: the sandbox image, sandboxops/sandbox:latest (local, never pulled)
#   SANDBOX_IMAGE=sandboxops/sandbox:mine IMAGE=sandboxops/executor:mine executor/build-image.sh
# The base is the default sandbox image (docker/sandbox/build-image.sh builds it), so both backends run commands
# with the same toolbox.
# Idempotent and quick when nothing changed: Maven runs only when a source or POM is newer than the jar, jlink
# only when the module list or the JDK changed, and docker build only when the inputs' fingerprint (jar,
# libraries, runtime, Dockerfile, base image id: a rebuilt sandbox image rebuilds this one) differs from the one labelled on the existing image.
# FORCE=1 rebuilds everything. The jar comes from the Maven wrapper (offline when MAVEN_OFFLINE=1).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
image=${IMAGE:-sandboxops/executor:latest}
base=${BASE_IMAGE:-${SANDBOX_IMAGE:-sandboxops/sandbox:latest}}
jdk=${JLINK_JDK:-${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}}
offline=$([ "${MAVEN_OFFLINE:-0}" = 1 ] && echo -o || true)
force=${FORCE:-0}
# What the executor and its libraries use (jdeps --print-module-deps on executor.jar and lib/, plus the
# providers nothing names at compile time: jdk.crypto.ec for TLS to Google, jdk.naming.dns for gRPC's resolver).
modules=${JLINK_MODULES:-java.base,java.logging,java.naming,java.net.http,java.sql,java.management,java.xml,java.security.jgss,jdk.crypto.ec,jdk.unsupported,jdk.naming.dns}
label=io.sandboxops.executor.inputs

. "$repo/docker/jvm-image.sh"
base_image_id >/dev/null

jar=$here/target/executor.jar
stale_sources() {
  if [ ! -f "$jar" ] || [ ! -d "$here/target/lib" ]; then
    return 0
  fi
  [ -n "$(find "$repo/pom.xml" "$repo/src/main" "$repo/sandbox-core/pom.xml" "$repo/sandbox-core/src/main" "$here/pom.xml" "$here/src/main" \
      -newer "$jar" -print -quit)" ]
}
if [ "$force" = 1 ] || stale_sources; then
  (cd "$repo" && ./mvnw -B -q $offline -pl sandbox-core,executor -am package -DskipTests)
fi

build_jvm_image executor.jar
