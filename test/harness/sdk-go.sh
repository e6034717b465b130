#!/usr/bin/env bash
# Builds the Go interop program (test/interop/go/, on the official CloudEvents Go SDK pinned as
# CLOUDEVENTS_SDK_GO_VERSION in versions.env) into the harness cache, once:
#   $TRIGGER_BROKER_CACHE/interop/go-<hash>/interop-go
# where <hash> is the first 16 hex digits of the SHA-256 of go.mod, go.sum and main.go, concatenated
# in that order (test/interop/go-sdk.ts finds the binary by the same rule). setup.sh runs it; it is
# idempotent and prints nothing when the binary is already there. Needs Go and the Go module proxy.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../interop/go" && pwd)
# shellcheck source=versions.env
. "$here/versions.env"
cache=${TRIGGER_BROKER_CACHE:-$HOME/.cache/trigger-broker}

fail() {
  printf 'sdk-go: %s\n' "$1" >&2
  exit 1
}

hash=$(cat "$src/go.mod" "$src/go.sum" "$src/main.go" | sha256sum | cut -c1-16)
out_dir=$cache/interop/go-$hash
binary=$out_dir/interop-go
[ -x "$binary" ] && exit 0

# go.mod is what the build uses; versions.env is where the pin is read by people and tools.
grep -Eq "^[[:space:]]*(require[[:space:]]+)?github\.com/cloudevents/sdk-go/v2[[:space:]]+$CLOUDEVENTS_SDK_GO_VERSION([[:space:]]|$)" "$src/go.mod" ||
  fail "test/interop/go/go.mod does not require github.com/cloudevents/sdk-go/v2 $CLOUDEVENTS_SDK_GO_VERSION (versions.env); bump both together (cd test/interop/go && go get github.com/cloudevents/sdk-go/v2@$CLOUDEVENTS_SDK_GO_VERSION && go mod tidy)"

command -v go >/dev/null 2>&1 ||
  fail "no go on PATH: the CloudEvents Go SDK interop tests need Go (the version in test/interop/go/go.mod or newer; https://go.dev/dl/) and the Go module proxy"

mkdir -p "$cache/interop"
# Two test runs may build at once; the second waits, then finds the binary.
exec 8>"$cache/interop/.go-build.lock"
flock 8
[ -x "$binary" ] && exit 0

printf 'sdk-go: building the CloudEvents Go SDK %s interop program into %s\n' "$CLOUDEVENTS_SDK_GO_VERSION" "$out_dir" >&2
work=$(mktemp -d "$cache/interop/.go-build.XXXXXX")
trap 'rm -rf "$work"' EXIT
# One compile job at a time: the machines this runs on have two cores. -mod=readonly: go.sum is
# committed and must already be complete.
if ! (cd "$src" && GOFLAGS=-p=1 go build -mod=readonly -buildvcs=false -trimpath -o "$work/interop-go" . >"$work/build.log" 2>&1); then
  tail -n 30 "$work/build.log" >&2
  fail "go build of test/interop/go failed ($(go version 2>/dev/null || echo 'go version unknown'))"
fi
mkdir -p "$out_dir"
mv "$work/interop-go" "$binary"
