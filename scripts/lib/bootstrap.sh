# Sourced by scripts/test and scripts/demo: everything a fresh machine (Node 20, Java 17, Maven,
# registry access) needs before Decanter runs. Idempotent and quiet when there is nothing to do.
#   - pnpm, at the version pinned in package.json "packageManager", installed into .tools/
#     (nothing global is touched)
#   - the workspace's dependencies (frozen lockfile) and the build of every package
#   - a local Kafka broker, unless KAFKA_BROKERS points at one; DECANTER_STARTED_KAFKA=1 tells the
#     caller it must stop it.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

bootstrap_pnpm() {
  local want
  want="$(node -p "require('./package.json').packageManager.split('@')[1]")"
  if [ "$(pnpm --version 2>/dev/null || true)" != "$want" ]; then
    if [ "$(.tools/node_modules/.bin/pnpm --version 2>/dev/null || true)" != "$want" ]; then
      echo "bootstrap: installing pnpm $want into .tools/" >&2
      mkdir -p .tools
      [ -f .tools/package.json ] || echo '{ "private": true }' >.tools/package.json
      npm install --prefix .tools --no-audit --no-fund --loglevel=error "pnpm@$want" >&2
    fi
    export PATH="$ROOT/.tools/node_modules/.bin:$PATH"
  fi
}

bootstrap_install_and_build() {
  echo "bootstrap: installing dependencies and building" >&2
  # zstd-napi (optional zstd codec of @decanter/producer) builds with node-gyp, which would
  # download Node's headers from outside the registries; use the ones installed with Node.
  if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node_api.h ]; then export npm_config_nodedir=/usr; fi
  pnpm install --frozen-lockfile --reporter=silent >&2
  pnpm run --silent build >&2
}

DECANTER_STARTED_KAFKA=0
bootstrap_kafka() {
  if [ -n "${KAFKA_BROKERS:-}" ]; then
    echo "bootstrap: using the Kafka cluster at KAFKA_BROKERS=$KAFKA_BROKERS" >&2
    return 0
  fi
  if ! scripts/kafka status >/dev/null 2>&1; then
    scripts/kafka start >&2
    DECANTER_STARTED_KAFKA=1
  fi
  export KAFKA_BROKERS="127.0.0.1:${KAFKA_PORT:-9092}"
}
