#!/usr/bin/env bash
# Prepares aws/event-ruler for the rule-set benchmark (bench/matcher-rule-sets.ts): the version
# pinned in pom.xml and its runtime dependencies, fetched from Maven Central into
# "$TRIGGER_BROKER_CACHE/event-ruler-<version>/libs" (the cache test/harness/setup.sh keeps Kafka's
# jars in, fetched the same way, with the maven-dependency-plugin version of versions.env), and
# RulerBench.java compiled with javac into ".../classes-<first 16 hex digits of its sha256>".
# Idempotent: quiet when both are in place. Prints the class path on stdout; on failure, says
# precisely what is missing on stderr and exits 1 (the benchmark then runs without event-ruler).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=../../test/harness/versions.env
. "$repo/test/harness/versions.env"
cache=${TRIGGER_BROKER_CACHE:-$HOME/.cache/trigger-broker}
version=$(sed -n 's:.*<event-ruler.version>\(.*\)</event-ruler.version>.*:\1:p' "$here/pom.xml")
home=$cache/event-ruler-$version
libs=$home/libs
source_file=$here/RulerBench.java
classes=$home/classes-$(sha256sum "$source_file" | cut -c1-16)

say() { printf 'event-ruler: %s\n' "$*" >&2; }
give_up() {
  say "$1"
  exit 1
}

[ -n "$version" ] || give_up "no <event-ruler.version> in $here/pom.xml"
if [ ! -f "$libs/.complete" ] || [ ! -f "$classes/.complete" ]; then
  command -v java >/dev/null 2>&1 || give_up "no java on PATH (Debian: apt-get install default-jdk-headless)"
  command -v javac >/dev/null 2>&1 || give_up "no javac on PATH (Debian: apt-get install default-jdk-headless)"
  mkdir -p "$home"
  # Benchmarks started at once fetch and compile once.
  exec 8>"$home/.lock"
  flock 8
fi

if [ ! -f "$libs/.complete" ]; then
  command -v mvn >/dev/null 2>&1 || give_up "no mvn on PATH to fetch software.amazon.event.ruler:event-ruler:$version (Debian: apt-get install maven)"
  say "fetching software.amazon.event.ruler:event-ruler:$version from Maven Central into $libs"
  work=$(mktemp -d "$home/.fetch.XXXXXX")
  cp "$here/pom.xml" "$work/pom.xml"
  if ! mvn -q -B -f "$work/pom.xml" \
    "org.apache.maven.plugins:maven-dependency-plugin:$MAVEN_DEPENDENCY_PLUGIN_VERSION:copy-dependencies" \
    -DincludeScope=runtime -DoutputDirectory="$work/libs" >"$work/mvn.log" 2>&1; then
    tail -n 15 "$work/mvn.log" >&2
    rm -rf "$work"
    give_up "Maven could not fetch software.amazon.event.ruler:event-ruler:$version and its dependencies (log above)"
  fi
  rm -rf "$libs"
  mv "$work/libs" "$libs"
  touch "$libs/.complete"
  rm -rf "$work"
fi

if [ ! -f "$classes/.complete" ]; then
  work=$(mktemp -d "$home/.classes.XXXXXX")
  if ! javac -nowarn -encoding UTF-8 -d "$work" -cp "$libs/*" "$source_file" >"$work/javac.log" 2>&1; then
    cat "$work/javac.log" >&2
    rm -rf "$work"
    give_up "javac could not compile bench/event-ruler/RulerBench.java against event-ruler $version"
  fi
  rm -f "$work/javac.log"
  rm -rf "$classes"
  mv "$work" "$classes"
  touch "$classes/.complete"
fi

printf '%s\n' "$libs/*:$classes"
