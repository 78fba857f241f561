#!/usr/bin/env bash
# The README's test command: installs what the tests need that cargo cannot fetch
# (Chromium for the report test, promtool for the deploy checks), checks that RabbitMQ
# and Redis answer, then runs every test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
if [ "${PUCHA_SKIP_BROWSER:-}" != 1 ] && ! command -v chromium >/dev/null; then missing+=(chromium); fi
if [ "${PUCHA_SKIP_PROMTOOL:-}" != 1 ] && ! command -v promtool >/dev/null; then missing+=(prometheus); fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing test prerequisites: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "missing test prerequisites: ${missing[*]}; install them with: sudo apt-get install -y ${missing[*]}" >&2
    echo "(or set PUCHA_SKIP_BROWSER=1 / PUCHA_SKIP_PROMTOOL=1 to skip the tests that need them)" >&2
    exit 1
  fi
fi

if [ "${PUCHA_SKIP_SERVICES:-}" != 1 ]; then
  probe() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
  if ! probe 5672; then
    echo "RabbitMQ does not answer on 127.0.0.1:5672. Start it with: rabbitmq-server -detached" >&2
    echo "(or set PUCHA_SKIP_SERVICES=1 to skip the tests that need RabbitMQ and Redis)" >&2
    exit 1
  fi
  if ! probe 6379; then
    echo "Redis does not answer on 127.0.0.1:6379. Start it with:" >&2
    echo "  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save '' --appendonly no" >&2
    echo "(or set PUCHA_SKIP_SERVICES=1 to skip the tests that need RabbitMQ and Redis)" >&2
    exit 1
  fi
fi

exec cargo test --workspace "$@"
