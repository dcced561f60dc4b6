#!/usr/bin/env bash
# npm run test:soak [-- RUNS]: the whole test suite RUNS times in a row (default 5) while another process keeps one
# core busy, to flush out tests that depend on timing or on a quiet machine. Stops at the first failing run and
# says which; each run's output is kept in .test-out/soak-<n>.log.
set -uo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
mkdir -p .test-out
node -e 'for (;;);' &
busy=$!
trap 'kill "$busy" 2>/dev/null' EXIT
echo "soak: $runs runs of npm test, one core kept busy by pid $busy"
for ((run = 1; run <= runs; run++)); do
  started=$(date +%s)
  if npm test >".test-out/soak-$run.log" 2>&1; then
    result=passed
  else
    result=FAILED
  fi
  summary=$(sed 's/\x1b\[[0-9;]*m//g' ".test-out/soak-$run.log" | grep -aE '^ +Tests ' | tail -1 | tr -s ' ')
  echo "soak: run $run/$runs $result in $(($(date +%s) - started)) s:${summary}"
  if [ "$result" = FAILED ]; then
    echo "soak: see .test-out/soak-$run.log"
    exit 1
  fi
done
echo "soak: $runs of $runs runs passed"
