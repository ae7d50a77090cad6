#!/usr/bin/env bash
# The real binary under valgrind on the e2e paths: a first run, a rerun, a rejected
# run, extract and check. No invalid access, no leak.
. "$(dirname "$0")/lib.sh"

if ! command -v valgrind >/dev/null; then
    skip "crmerge under valgrind" "valgrind is not installed (./run.sh deps installs it)"
    exit 0
fi
vg() {
    valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect \
             --errors-for-leak-kinds=definite,indirect "$CRMERGE" "$@"
}
check "run (first publish) is valgrind-clean" vg run -c examples/pipeline.json
check "run (nothing changed) is valgrind-clean" vg run -c examples/pipeline.json
sed 's/"reject_rate_max": 0.1/"reject_rate_max": 0.0/' examples/pipeline.json >"$tmpdir/strict.json"
sed -i "s|exports/|$ROOT/examples/exports/|" "$tmpdir/strict.json"
check_exit "a rejected run is valgrind-clean (exit 4, no error 99)" 4 vg run -c "$tmpdir/strict.json"
check "extract is valgrind-clean" vg extract -c examples/pipeline.json
check "check is valgrind-clean" vg check -c examples/pipeline.json
