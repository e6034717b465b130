#!/usr/bin/env bash
# Makes the real brokers the tests talk to available on this machine (README, "Tests"): Mosquitto, nats-server and kcat from Debian, Apache Kafka's jars from Maven Central, and Debian's Chromium for the console's browser test
# into a cache outside the repository. `npm test` runs it every time, so it is idempotent and prints
# nothing when everything is already in place.
#
# A broker whose URL variable is set (MQTT_URL, NATS_URL, KAFKA_BROKERS) is not installed: the
# tests then use that running broker instead.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
. "$here/versions.env"
# shellcheck source=maven-fetch.sh
. "$here/maven-fetch.sh"
cache=${TRIGGER_BROKER_CACHE:-$HOME/.cache/trigger-broker}
kafka_home=$cache/kafka-$KAFKA_VERSION
# nats-server older than this lacks what @nats-io/jetstream 3 relies on for durable pull consumers
# (the consumer-create API and heartbeats in pull requests, both from 2.9.0).
nats_min_version=2.9.0

say() { printf 'setup: %s\n' "$*" >&2; }

give_up() {
  cat >&2 <<EOF
setup: cannot make the test brokers available: $1
  Install them by hand (Debian or Ubuntu, as root):
    apt-get install mosquitto mosquitto-clients nats-server kcat default-jre-headless maven
    bash test/harness/setup.sh    # then fetches Kafka $KAFKA_VERSION's jars into $kafka_home/libs
  Or point the tests at brokers that already run (for example under Docker):
    MQTT_URL=mqtt://HOST:1883  NATS_URL=nats://HOST:4222 (JetStream enabled)  KAFKA_BROKERS=HOST:9092
EOF
  exit 1
}

# Mosquitto installs into /usr/sbin, which is not on every user's PATH.
have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }

java_major() {
  local major
  major=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)
  echo "${major:-0}"
}

# True when version $1 >= version $2 (dotted numbers).
version_at_least() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1)" = "$2" ]; }

kafka_fetched() { [ -f "$kafka_home/libs/.complete" ]; }

missing_packages() {
  local wanted=()
  if [ -z "${MQTT_URL:-}" ]; then
    have mosquitto || wanted+=(mosquitto)
    have mosquitto_pub || wanted+=(mosquitto-clients)
  fi
  if [ -z "${NATS_URL:-}" ]; then
    have nats-server || [ -x "$cache/bin/nats-server" ] || wanted+=(nats-server)
  fi
  if [ -z "${KAFKA_BROKERS:-}" ]; then
    have kcat || wanted+=(kcat)
    # Kafka 4 brokers need Java 17 or newer.
    if ! have java || [ "$(java_major)" -lt 17 ]; then wanted+=(default-jre-headless); fi
    if ! kafka_fetched && ! have mvn; then wanted+=(maven); fi
  fi
  # The console's browser test (test/e2e/console.test.ts) drives Debian's Chromium.
  if [ -z "${CHROMIUM_BIN:-}" ]; then
    have chromium || [ -x /usr/lib/chromium/chromium ] || wanted+=(chromium)
  fi
  if [ "${#wanted[@]}" -gt 0 ]; then printf '%s\n' "${wanted[@]}"; fi
}

install_packages() {
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo=(sudo -n)
    else
      give_up "not root, and these Debian packages are missing: $*"
    fi
  fi
  command -v apt-get >/dev/null 2>&1 || give_up "no apt-get here, and these packages are missing: $*"
  say "installing from Debian: $*"
  local log
  log=$(mktemp)
  if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$log" 2>&1 ||
    ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" \
      >>"$log" 2>&1; then
    tail -n 15 "$log" >&2
    rm -f "$log"
    give_up "apt-get could not install: $*"
  fi
  rm -f "$log"
}

# Debian 12 ships nats-server 2.9, which does what the tests need; a system with an older one gets
# the pinned release built from source into the cache (nats.ts looks there first).
ensure_recent_nats() {
  [ -n "${NATS_URL:-}" ] && return 0
  [ -x "$cache/bin/nats-server" ] && return 0
  local version
  version=$(nats-server --version 2>/dev/null | sed -n 's/.*v\([0-9.]*\).*/\1/p')
  if [ -n "$version" ] && version_at_least "$version" "$nats_min_version"; then return 0; fi
  command -v go >/dev/null 2>&1 ||
    give_up "nats-server ${version:-(none)} is older than $nats_min_version and there is no Go to build $NATS_SERVER_GO_VERSION"
  say "building nats-server $NATS_SERVER_GO_VERSION into $cache/bin (found ${version:-none})"
  # One compile job at a time: the machines this runs on have two cores.
  GOBIN="$cache/bin" GOFLAGS=-p=1 go install "github.com/nats-io/nats-server/v2@$NATS_SERVER_GO_VERSION" ||
    give_up "go install of nats-server $NATS_SERVER_GO_VERSION failed"
}

# Kafka's own tarball comes from a download site this machine cannot reach, so the broker is
# assembled from the same jars on Maven Central: kafka_2.13 and its runtime dependencies, plus the
# slf4j-to-log4j2 bridge that the distribution ships and the Maven artifact does not pull in.
fetch_kafka() {
  [ -n "${KAFKA_BROKERS:-}" ] && return 0
  kafka_fetched && return 0
  say "fetching Apache Kafka $KAFKA_VERSION from Maven Central into $kafka_home/libs"
  local work
  work=$(mktemp -d "$cache/.kafka-fetch.XXXXXX")
  maven_copy_dependencies "$work" kafka-runtime \
    "org.apache.kafka:kafka_2.13:$KAFKA_VERSION" \
    "org.apache.logging.log4j:log4j-slf4j-impl:$LOG4J_VERSION" ||
    give_up "Maven could not fetch org.apache.kafka:kafka_2.13:$KAFKA_VERSION"
  # Prove the class path is whole before calling it done: the storage tool loads Kafka's core.
  if ! java -cp "$work/libs/*" kafka.tools.StorageTool random-uuid >"$work/smoke.log" 2>&1; then
    cat "$work/smoke.log" >&2
    rm -rf "$work"
    give_up "the fetched Kafka jars do not run (java -cp ... kafka.tools.StorageTool)"
  fi
  install_fetched_libs "$work" "$kafka_home/libs"
}

mkdir -p "$cache"
# Several test runs may start at once on one machine; apt and the cache take one installer at a time.
exec 9>"$cache/.setup.lock"
flock 9

mapfile -t wanted < <(missing_packages)
if [ "${#wanted[@]}" -gt 0 ]; then install_packages "${wanted[@]}"; fi
ensure_recent_nats
fetch_kafka

# The official CloudEvents SDKs the interop tests run (test/interop/): each prepares itself into
# the cache once (test/harness/sdk-*.sh), and is quiet when already in place.
export TRIGGER_BROKER_CACHE="$cache"
for sdk_setup in "$here"/sdk-*.sh; do
  [ -e "$sdk_setup" ] || continue
  bash "$sdk_setup" || give_up "$(basename "$sdk_setup") failed"
done

# What test/deploy/ builds and checks the deployment files with (buildah, the Dockerfile's base
# image parts, helm, the platforms' schemas): test/harness/deploy-tools.sh, quiet when in place.
bash "$here/deploy-tools.sh" || give_up "deploy-tools.sh failed"
