#!/usr/bin/env bash
# Runs every test file with node's test runner and closes with a plain "N passed, N failed" line.
# Usage: npm test [-- path/or/substring ...]
set -uo pipefail
cd "$(dirname "$0")/.."

[ -d node_modules ] || npm install --no-audit --no-fund
# The report and UI tests drive a real headless browser.
if ! command -v chromium >/dev/null 2>&1; then
  echo "installing chromium for the browser tests"
  (apt-get update -qq && apt-get install -y -qq chromium) >/dev/null 2>&1 || echo "warning: could not install chromium"
fi

# The Postgres domain suites use the machine's PostgreSQL, the queue, rate-limit and multi-node
# tests its Redis: started here when installed but not running (tests needing one skip, saying
# why, when it cannot be had).
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if ! port_open 6379; then
  command -v redis-server >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq redis-server) >/dev/null 2>&1
  command -v redis-server >/dev/null 2>&1 && redis-server --daemonize yes --port 6379 >/dev/null 2>&1 && sleep 1
  port_open 6379 || echo "warning: no Redis on 127.0.0.1:6379; the queue and multi-node tests will skip"
fi
if ! port_open 5432; then
  (service postgresql start || pg_ctlcluster 15 main start) >/dev/null 2>&1 && sleep 2
  port_open 5432 || echo "warning: no PostgreSQL on 127.0.0.1:5432; the Postgres domain suites will skip"
fi

mapfile -t files < <(find src test -name '*.test.ts' -not -path '*/node_modules/*' 2>/dev/null | sort)
if [ $# -gt 0 ]; then
  selected=()
  for f in "${files[@]}"; do
    for pattern in "$@"; do [[ "$f" == *"$pattern"* ]] && selected+=("$f") && break; done
  done
  files=("${selected[@]}")
fi
if [ ${#files[@]} -eq 0 ]; then echo "no test files matched"; exit 1; fi

tap=$(mktemp)
node --import tsx --test --test-concurrency=2 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$tap" \
  "${files[@]}"
status=$?
passed=$(grep -E '^# pass ' "$tap" | awk '{print $3}')
failed=$(grep -E '^# fail ' "$tap" | awk '{print $3}')
skipped=$(grep -E '^# skipped ' "$tap" | awk '{print $3}')
rm -f "$tap"
echo "${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
if [ "$status" -ne 0 ] && [ "${failed:-0}" = "0" ]; then echo "test runner exited with status $status"; fi
exit "$status"
