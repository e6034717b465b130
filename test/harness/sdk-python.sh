#!/usr/bin/env bash
# Prepares the official CloudEvents Python SDK for the interop tests (test/interop/python-sdk.ts):
# a venv with exactly test/interop/python/requirements.txt, in
# "$TRIGGER_BROKER_CACHE/interop/python-<first 16 hex digits of the file's sha256>", so that a
# change of pins makes a new venv. setup.sh runs it (and python-sdk.ts, when the venv is missing);
# it is idempotent and prints nothing when the venv is already in place.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=versions.env
. "$here/versions.env"
cache=${TRIGGER_BROKER_CACHE:-$HOME/.cache/trigger-broker}
requirements=$repo/test/interop/python/requirements.txt
python=${PYTHON:-python3}

say() { printf 'sdk-python: %s\n' "$*" >&2; }

give_up() {
  cat >&2 <<EOF
sdk-python: cannot prepare the CloudEvents Python SDK for the interop tests: $1
  It needs Python 3.10 or newer with venv and pip (Debian: apt-get install python3-venv) and
  PyPI, then installs test/interop/python/requirements.txt into a venv in $cache/interop/.
  Run it again with: bash test/harness/sdk-python.sh
EOF
  exit 1
}

# The pins in versions.env and requirements.txt are one decision written twice: refuse a mismatch
# rather than test another version than the one the README names.
pinned_in_requirements() { sed -n "s/^$1==\([^[:space:]]*\).*/\1/p" "$requirements"; }
[ "$(pinned_in_requirements cloudevents)" = "$CLOUDEVENTS_SDK_PYTHON_VERSION" ] ||
  give_up "requirements.txt pins cloudevents==$(pinned_in_requirements cloudevents), versions.env CLOUDEVENTS_SDK_PYTHON_VERSION=$CLOUDEVENTS_SDK_PYTHON_VERSION"
[ "$(pinned_in_requirements requests)" = "$PYTHON_REQUESTS_VERSION" ] ||
  give_up "requirements.txt pins requests==$(pinned_in_requirements requests), versions.env PYTHON_REQUESTS_VERSION=$PYTHON_REQUESTS_VERSION"

hash=$(sha256sum "$requirements" | cut -c1-16)
venv=$cache/interop/python-$hash

# In place when the marker is there and the venv's interpreter (a link to the one that made it)
# still runs and imports the SDK.
ready() {
  [ -f "$venv/.complete" ] &&
    "$venv/bin/python" -c 'import cloudevents.v1.http, cloudevents.core.bindings.http, requests' >/dev/null 2>&1
}
ready && exit 0

mkdir -p "$cache/interop"
# Test files running at once (and setup.sh) build the venv once.
exec 8>"$cache/interop/.python.lock"
flock 8
ready && exit 0

command -v "$python" >/dev/null 2>&1 || give_up "no $python on PATH"
"$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' ||
  give_up "$("$python" --version 2>&1) is older than 3.10, which cloudevents $CLOUDEVENTS_SDK_PYTHON_VERSION requires"

say "installing cloudevents $CLOUDEVENTS_SDK_PYTHON_VERSION and requests $PYTHON_REQUESTS_VERSION into $venv"
rm -rf "$venv"
log=$(mktemp)
if ! "$python" -m venv "$venv" >"$log" 2>&1; then
  tail -n 15 "$log" >&2
  rm -rf "$venv" "$log"
  give_up "$python -m venv failed (is python3-venv installed?)"
fi
if ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
  -r "$requirements" >"$log" 2>&1; then
  tail -n 15 "$log" >&2
  rm -rf "$venv" "$log"
  give_up "pip could not install test/interop/python/requirements.txt"
fi
rm -f "$log"
installed=$("$venv/bin/python" -c 'from importlib.metadata import version; print(version("cloudevents"))')
[ "$installed" = "$CLOUDEVENTS_SDK_PYTHON_VERSION" ] ||
  give_up "the venv has cloudevents $installed, not $CLOUDEVENTS_SDK_PYTHON_VERSION"
touch "$venv/.complete"
