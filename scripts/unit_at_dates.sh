#!/usr/bin/env bash
# The unit suite at fixed dates far apart, the wall clock moved there by SOTONG_TEST_NOW
# (tests/support/clock.py; the clock ticks on from that moment). A test that reads the real
# clock where it should take an injected one, or product code that does, fails on one of them:
#   New Year's Eve a minute before midnight KST (the run crosses into the new year),
#   the Seollal holidays of 2027 (Monday 8 February; 9 February is the substitute holiday),
#   the leap day of 2028.
# The three runs go side by side, each with its own temporary directory and PostgreSQL
# cluster: measured on 2 cores (794 tests), one run alone takes 65-95 s, the three together
# 2m15-2m45 rather than 3.5-4.5 min one after another. scripts/test.sh runs this after the
# main run; `bash scripts/unit_at_dates.sh 2030-01-01T00:00:00+09:00` tries other moments.
set -euo pipefail
cd "$(dirname "$0")/.."
dates=("$@")
if [ ${#dates[@]} -eq 0 ]; then
  dates=(2026-12-31T23:59:00+09:00 2027-02-08T10:00:00+09:00 2028-02-29T12:00:00+09:00)
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pids=()
for i in "${!dates[@]}"; do
  SOTONG_TEST_NOW="${dates[$i]}" .venv/bin/pytest tests/unit -q -p no:cacheprovider \
    --basetemp="$work/tmp$i" >"$work/run$i.log" 2>&1 &
  pids+=($!)
done
failed=0
for i in "${!dates[@]}"; do
  echo "==> unit suite at ${dates[$i]}"
  if wait "${pids[$i]}"; then
    tail -n 1 "$work/run$i.log"
  else
    cat "$work/run$i.log"
    failed=1
  fi
done
exit "$failed"
