#!/usr/bin/env bash
# Runs every unit-test binary in DIR (default build/tests) from the repository root;
# adds up their "RESULT passed failed" lines. Prints "unit: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
dir=${1:-build/tests}
passed=0 failed=0
for t in "$dir"/test_*; do
    [ -x "$t" ] || continue
    out=$("$t" 2> >(sed "s|^|  $(basename "$t"): |" >&2))
    rc=$?
    line=$(printf '%s\n' "$out" | grep '^RESULT ' | tail -n 1)
    if [ -z "$line" ]; then
        echo "  $(basename "$t"): crashed or printed no result (exit $rc)" >&2
        failed=$((failed + 1))
        continue
    fi
    set -- $line
    passed=$((passed + $2)) failed=$((failed + $3))
    [ "$rc" -ne 0 ] && [ "$3" -eq 0 ] && failed=$((failed + 1))
done
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
