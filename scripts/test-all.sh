#!/usr/bin/env bash
# The whole test suite, as the README and CI run it: peers, types, lint, format, unit, e2e, build.
set -euo pipefail
cd "$(dirname "$0")/.."

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT

bash scripts/ensure-peers.sh ffmpeg nginx-rtmp gstreamer
echo "== typecheck" && npx tsc -p tsconfig.json --noEmit
echo "== lint" && npx eslint .
echo "== format" && npx prettier --check . >/dev/null
echo "== unit" && npx jest --config jest.config.js --json --outputFile="$results/unit.json"
echo "== e2e and interop" && npx jest --config test/jest-e2e.config.js --runInBand \
  --json --outputFile="$results/e2e.json"
echo "== build" && npm run --silent build

# One closing line that any CI reader understands.
node -e '
  const files = process.argv.slice(1).map((f) => require(f));
  const sum = (key) => files.reduce((n, r) => n + r[key], 0);
  console.log(`tests: ${sum("numPassedTests")} passed, ${sum("numFailedTests")} failed, ${sum("numPendingTests") + sum("numTodoTests")} skipped`);
' "$results/unit.json" "$results/e2e.json"
