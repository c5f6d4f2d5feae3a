#!/usr/bin/env bash
# Runs every test of skillscore: unit, store suite on SQLite and MariaDB,
# end-to-end and browser tests. README's test command.
#
# The store suite also runs against MySQL/MariaDB when SKILLSCORE_TEST_MYSQL_DSN
# is set. Unset, it is pointed at a local MariaDB on 127.0.0.1:3306 if one
# answers; with CI=true a missing or unreachable MariaDB fails the run.
set -uo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh || exit 1

if [ -z "${SKILLSCORE_TEST_MYSQL_DSN:-}" ] && [ "${CI:-}" != "true" ]; then
  if (exec 3<>/dev/tcp/127.0.0.1/3306) 2>/dev/null; then
    export SKILLSCORE_TEST_MYSQL_DSN='root@tcp(127.0.0.1:3306)/test'
  fi
fi
if [ -n "${SKILLSCORE_TEST_MYSQL_DSN:-}" ]; then
  echo "test: MariaDB/MySQL suite enabled (SKILLSCORE_TEST_MYSQL_DSN is set)"
else
  echo "test: MariaDB/MySQL suite NOT run: no server at 127.0.0.1:3306 and SKILLSCORE_TEST_MYSQL_DSN unset"
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
# -p 2: two cores; test binaries in parallel beyond that only thrash.
go test -count=1 -p 2 -timeout 15m -v "$@" ./... >"$log" 2>&1
status=$?

# Failures in full; otherwise a summary (the -v log is long).
if [ $status -ne 0 ]; then
  grep -vE '^(=== (RUN|PAUSE|CONT|NAME)|\s+--- PASS)' "$log" | grep -B2 -A30 -E -- '--- FAIL|^FAIL|panic:|build failed|\[setup failed\]' | head -400
fi
grep -E '^(ok|FAIL|\?)\s' "$log"
mysql_runs=$(grep -cE -- '--- PASS: Test[^ ]+/mysql ' "$log" || true)
echo "test: MariaDB/MySQL store tests passed: $mysql_runs"
skips=$(grep -E -- '--- SKIP' "$log" | wc -l)
if [ "$skips" -gt 0 ]; then
  echo "test: skipped tests:"; grep -A1 -E -- '--- SKIP' "$log" | grep -vE '^--$' | sed 's/^/  /'
fi
passed=$(grep -cE -- '--- PASS' "$log" || true)
failed=$(grep -cE -- '--- FAIL' "$log" || true)
echo "$passed passed, $failed failed, $skips skipped"
exit $status
