#!/usr/bin/env bash
# tests/run_all.sh — the whole suite: unit tests, then every end-to-end script against a
# private, throw-away PostgreSQL. Run from anywhere; needs `make all tools` first
# (./run.sh test does both).
#
#   tests/run_all.sh                 unit tests + every tests/e2e/t*.sh
#   tests/run_all.sh tests/e2e/t010_x.sh ...   only these e2e scripts (no unit tests)
#
# Each e2e script gets its own fresh database e2e_<script name> (PGDATABASE), and runs
# with a time limit of E2E_TIMEOUT seconds (default 600). E2E_KEEP=1 keeps the server's
# directory and the scripts' temporary directories for a post-mortem.
# The last line is "N passed, N failed" over unit and e2e cases; exit 1 on any failure.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
ROOT=$(pwd)
export ROOT

passed=0
failed=0

finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit
}

# --- unit tests -------------------------------------------------------------------
if [ $# -eq 0 ]; then
    out=$(tests/run_unit.sh build/tests)
    printf '%s\n' "$out"
    line=$(printf '%s\n' "$out" | grep -E '^unit: [0-9]+ passed, [0-9]+ failed$' | tail -n 1)
    if [ -z "$line" ]; then
        echo "not ok unit: tests/run_unit.sh printed no summary"
        failed=$((failed + 1))
    else
        set -- $line
        passed=$((passed + $2)) failed=$((failed + $4))
        set --
    fi
    scripts=(tests/e2e/t*.sh)
else
    scripts=("$@")
fi

[ -e "${scripts[0]:-}" ] || { echo "e2e: no scripts"; finish; }
[ -x ./crmerge ] || echo "warning: ./crmerge is not built (make all); e2e cases using it will fail" >&2

# --- private PostgreSQL -----------------------------------------------------------
. tests/pg.sh
work=$(mktemp -d /tmp/crmerge-test.XXXXXX) || { echo "not ok e2e: mktemp"; failed=$((failed + 1)); finish; }
chmod 755 "$work"           # the server runs as postgres when we are root: it must enter
cleanup() {
    pg_stop "$work/pg" 2>/dev/null
    if [ "${E2E_KEEP:-0}" = 1 ]; then
        echo "# kept $work (server log: $work/pg/log/server.log)"
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=$((55432 + RANDOM % 2000))
if ! PG_FAST=1 pg_start "$work/pg" "$port" >"$work/pg_start.log" 2>&1; then
    echo "not ok e2e: the private PostgreSQL did not start:"
    sed 's/^/#   /' "$work/pg_start.log"
    failed=$((failed + 1))
    finish
fi
unset CRMERGE_DSN PGPASSWORD PGOPTIONS
echo "e2e: PostgreSQL on $PGHOST port $PGPORT"

# --- e2e scripts ------------------------------------------------------------------
e2e_failed_before=$failed
for s in "${scripts[@]}"; do
    name=$(basename "$s" .sh)
    db=e2e_$(printf '%s' "$name" | tr 'A-Z' 'a-z' | tr -c 'a-z0-9_' '_')
    if ! pg_dropdb "$db" || ! pg_createdb "$db"; then
        echo "not ok $name: cannot create database $db"
        failed=$((failed + 1))
        continue
    fi
    log="$work/$name.out"
    PGDATABASE=$db timeout -k 10 "${E2E_TIMEOUT:-600}" bash "$s" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    p=$(grep -c '^ok ' "$log")
    f=$(grep -c '^not ok ' "$log")
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        echo "# $name: killed after the time limit of ${E2E_TIMEOUT:-600} s"
    fi
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "not ok $name: exited $rc with no failed case"
        f=1
    elif [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
        echo "not ok $name: reported no case"
        f=1
    fi
    passed=$((passed + p)) failed=$((failed + f))
done

if [ "$failed" -gt "$e2e_failed_before" ] && [ -s "${PG_DIR:-$work/pg}/log/server.log" ]; then
    echo "# last lines of the server log:"
    tail -n 20 "${PG_DIR:-$work/pg}/log/server.log" | sed 's/^/#   /'
fi
finish
