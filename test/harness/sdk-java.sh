#!/usr/bin/env bash
# Prepares the official CloudEvents Java SDK for the interop tests (test/interop/java-sdk.ts):
# cloudevents-core, cloudevents-json-jackson and cloudevents-http-basic at
# CLOUDEVENTS_SDK_JAVA_VERSION (versions.env) with their runtime dependencies, fetched from Maven
# Central into "$TRIGGER_BROKER_CACHE/interop/java-<version>/libs" (as setup.sh fetches Kafka), and
# test/interop/java/Interop.java compiled with javac into
# "$TRIGGER_BROKER_CACHE/interop/java-<version>/classes-<first 16 hex digits of its sha256>".
# setup.sh runs it (and java-sdk.ts, when the classes are missing); it is idempotent and prints
# nothing when both are already in place.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=versions.env
. "$here/versions.env"
# shellcheck source=maven-fetch.sh
. "$here/maven-fetch.sh"
cache=${TRIGGER_BROKER_CACHE:-$HOME/.cache/trigger-broker}
version=$CLOUDEVENTS_SDK_JAVA_VERSION
home=$cache/interop/java-$version
libs=$home/libs
source_file=$repo/test/interop/java/Interop.java
classes=$home/classes-$(sha256sum "$source_file" | cut -c1-16)

say() { printf 'sdk-java: %s\n' "$*" >&2; }

give_up() {
  cat >&2 <<EOF
sdk-java: cannot prepare the CloudEvents Java SDK for the interop tests: $1
  It needs a JDK 17 or newer (javac) and Maven (Debian: apt-get install default-jdk-headless maven)
  and Maven Central; it then fetches io.cloudevents $version into $libs.
  Run it again with: bash test/harness/sdk-java.sh
EOF
  exit 1
}

[ -f "$libs/.complete" ] && [ -f "$classes/.complete" ] && exit 0

mkdir -p "$cache/interop"
# Test files running at once (and setup.sh) fetch and compile once.
exec 8>"$cache/interop/.java.lock"
flock 8

java_major() {
  local major
  major=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)
  echo "${major:-0}"
}

# javac and mvn come from Debian when this runs as root (or with password-less sudo), as setup.sh
# installs the brokers; anywhere else the message says what is missing.
ensure_tools() {
  local wanted=()
  if ! command -v javac >/dev/null 2>&1 || ! command -v java >/dev/null 2>&1 || [ "$(java_major)" -lt 17 ]; then
    wanted+=(default-jdk-headless)
  fi
  if [ ! -f "$libs/.complete" ] && ! command -v mvn >/dev/null 2>&1; then wanted+=(maven); fi
  [ "${#wanted[@]}" -eq 0 ] && return 0
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo=(sudo -n)
    else
      give_up "not root, and these Debian packages are missing: ${wanted[*]}"
    fi
  fi
  command -v apt-get >/dev/null 2>&1 || give_up "no apt-get here, and these packages are missing: ${wanted[*]}"
  say "installing from Debian: ${wanted[*]}"
  local log
  log=$(mktemp)
  if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$log" 2>&1 ||
    ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      "${wanted[@]}" >>"$log" 2>&1; then
    tail -n 15 "$log" >&2
    rm -f "$log"
    give_up "apt-get could not install: ${wanted[*]}"
  fi
  rm -f "$log"
  [ "$(java_major)" -ge 17 ] || give_up "java is $(java_major), not 17 or newer"
}

fetch_libs() {
  [ -f "$libs/.complete" ] && return 0
  say "fetching io.cloudevents $version (core, json-jackson, http-basic) from Maven Central into $libs"
  mkdir -p "$home"
  local work
  work=$(mktemp -d "$home/.fetch.XXXXXX")
  maven_copy_dependencies "$work" cloudevents-java-interop \
    "io.cloudevents:cloudevents-core:$version" \
    "io.cloudevents:cloudevents-json-jackson:$version" \
    "io.cloudevents:cloudevents-http-basic:$version" ||
    give_up "Maven could not fetch io.cloudevents:cloudevents-http-basic:$version and its dependencies"
  install_fetched_libs "$work" "$libs"
}

compile() {
  [ -f "$classes/.complete" ] && return 0
  local work
  work=$(mktemp -d "$home/.classes.XXXXXX")
  if ! javac -nowarn -encoding UTF-8 -d "$work" -cp "$libs/*" "$source_file" >"$work/javac.log" 2>&1; then
    cat "$work/javac.log" >&2
    rm -rf "$work"
    give_up "javac could not compile test/interop/java/Interop.java against io.cloudevents $version"
  fi
  rm -f "$work/javac.log"
  rm -rf "$classes"
  mv "$work" "$classes"
  touch "$classes/.complete"
}

ensure_tools
fetch_libs
compile
