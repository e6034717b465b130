# trigger-broker container image (docs/deploy.md).
#
#   docker build -t trigger-broker .
#   docker run -p 8080:8080 -v "$PWD/config:/config:ro" -v tb-data:/data trigger-broker
#
# /config holds the manifests (read-only is enough; the broker reloads them when they change),
# /data the embedded SQLite store (one writer: never share it between two containers). The broker
# listens on 8080 unless the Broker manifest or `--port` says otherwise (then change HEALTHCHECK too).
#
# test/deploy/image.test.ts builds this file unchanged with buildah and runs the result.

# ---------------------------------------------------------------------------------------------
# Build stage: compilers, dev dependencies, TypeScript. Nothing of it reaches the runtime image
# but the compiled JavaScript and the production node_modules.
FROM node:22-bookworm-slim AS build

# node-gyp needs Python, make and a C++ compiler for better-sqlite3's native addon.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*

WORKDIR /src
# Native addons are compiled here, against the Node.js headers that ship in the base image
# (/usr/local/include/node), so the build needs the npm registry and Debian's mirror, nothing else:
# no prebuilt binary is downloaded and no header tarball either.
ENV npm_config_nodedir=/usr/local \
  npm_config_build_from_source=true \
  npm_config_update_notifier=false \
  npm_config_fund=false \
  npm_config_audit=false

# Dependencies first, so that a change to the sources reuses this layer.
# --ignore-scripts: the package's own `prepare` script is `npm run build`, which needs the sources
# copied below; the only dependency install script that matters, better-sqlite3's, runs in the
# rebuild.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts && npm rebuild better-sqlite3

COPY . .
# Compile, drop dev dependencies, and keep only what runs: bin/, dist/, schemas/ (read at run
# time), examples/ (the quickstart's function), package.json and production node_modules, with
# better-sqlite3's object files and SQLite sources removed (the addon is linked statically).
RUN npm run build \
  && npm prune --omit=dev \
  && rm -rf node_modules/better-sqlite3/deps node_modules/better-sqlite3/src \
    node_modules/better-sqlite3/build/deps node_modules/better-sqlite3/build/Release/obj \
    node_modules/better-sqlite3/build/Release/obj.target node_modules/better-sqlite3/build/Release/.deps \
    node_modules/better-sqlite3/build/Release/sqlite3.a node_modules/better-sqlite3/build/Release/test_extension.node \
  && find node_modules -mindepth 1 -maxdepth 1 -type d -empty -delete \
  && mkdir -p /out/app /out/config /out/data \
  && cp -R package.json bin dist schemas examples node_modules /out/app/ \
  && node -e "require('/out/app/node_modules/better-sqlite3')(':memory:').prepare('select 1').get()"

# ---------------------------------------------------------------------------------------------
# Runtime stage: Node.js, the built broker and its production dependencies; no compilers, no dev
# dependencies, no TypeScript. Owned by root and read-only for the broker's user, except /data.
FROM node:22-bookworm-slim

ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /out/app /app
COPY --from=build /out/config /config
# `node` (uid 1000, gid 1000) is the unprivileged user the base image provides.
COPY --from=build --chown=node:node /out/data /data

USER node
VOLUME ["/data"]
EXPOSE 8080

# Exec form: Node is the container's PID 1 and receives SIGTERM itself (docker stop, Kubernetes,
# ECS, Cloud Run), so shutdown is graceful: intake stops, deliveries in flight get up to 5 s, the
# rest go back to the store, exit 0 within 10 s. No shell in between to swallow the signal.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/app/bin/trigger-broker.js"]
CMD ["start", "/config", "--data", "/data"]

# Liveness with what the image has: Node's own fetch, no curl. Start period for the store check at
# start (about 2 s per million queued events).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
