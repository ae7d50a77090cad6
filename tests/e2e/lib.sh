# tests/e2e/lib.sh — helpers for the end-to-end scripts tests/e2e/tNNN_name.sh.
#
# A script is plain bash that sources this file and reports one line per case:
#
#   #!/usr/bin/env bash
#   . "$(dirname "$0")/lib.sh"
#   check   "config loads"        "$CRMERGE" check -c "$ROOT/examples/pipeline.json"
#   check_exit "bad config is 3"  3 "$CRMERGE" run -c "$tmpdir/missing.json"
#   check_eq "one customer"       "$(psql_q 'SELECT count(*) FROM crm.customer')" 1
#   check_grep "summary printed"  'clusters' cat "$tmpdir/out"
#
# Output: "ok NAME" or "not ok NAME: REASON" per case (plus "# ..." detail lines);
# tests/run_all.sh counts those lines. The script exits 1 if any case failed.
#
# Environment (set by tests/run_all.sh, which also gives each script its own fresh
# database): PGHOST PGPORT PGUSER PGDATABASE (the script's database), PG_BIN, PG_DIR.
# Provided here: ROOT (repository root; the script runs with it as the working
# directory), CRMERGE ($ROOT/crmerge), T_NAME (script name without .sh), tmpdir (a
# private temporary directory, removed on exit; kept when E2E_KEEP=1), CRMERGE_DSN unset.

set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CRMERGE=${CRMERGE:-$ROOT/crmerge}
T_NAME=$(basename "$0" .sh)
export ROOT CRMERGE T_NAME
unset CRMERGE_DSN
cd "$ROOT" || exit 1

# psql_q SQL — from tests/pg.sh: psql -XAtq -v ON_ERROR_STOP=1 against $PGDATABASE.
# shellcheck source=../pg.sh
. "$ROOT/tests/pg.sh"

[ -n "${PGHOST:-}" ] ||
    echo "# $T_NAME: PGHOST is not set; run e2e scripts through tests/run_all.sh $0" >&2

tmpdir=$(mktemp -d "${TMPDIR:-/tmp}/crmerge-e2e-$T_NAME.XXXXXX") || exit 1
chmod 755 "$tmpdir"     # files here may be read by the server (COPY FROM) as postgres

e2e__passed=0
e2e__failed=0

e2e__finish() {
    local rc=$?
    trap - TERM INT
    if [ "${E2E_KEEP:-0}" = 1 ]; then
        echo "# $T_NAME: kept $tmpdir"
    else
        rm -rf "$tmpdir"
    fi
    if [ "$rc" -ne 0 ] && [ "$e2e__failed" -eq 0 ]; then
        not_ok "$T_NAME" "the script stopped with exit $rc"
    elif [ "$e2e__passed" -eq 0 ] && [ "$e2e__failed" -eq 0 ]; then
        not_ok "$T_NAME" "the script ran no case"
    fi
    [ "$e2e__failed" -eq 0 ] && exit 0
    [ "$rc" -ne 0 ] && exit "$rc"
    exit 1
}
trap e2e__finish EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

ok() {
    echo "ok $1"
    e2e__passed=$((e2e__passed + 1))
}

# not_ok NAME REASON
not_ok() {
    echo "not ok $1: ${2:-failed}"
    e2e__failed=$((e2e__failed + 1))
}

# Print FILE's last lines as "# " detail lines.
e2e__detail() {
    [ -s "$1" ] || return 0
    tail -n "${2:-15}" "$1" | sed 's/^/#   /'
}

# check NAME CMD... — ok if CMD exits 0. Its output goes to $tmpdir/last.out.
check() {
    local name=$1; shift
    "$@" >"$tmpdir/last.out" 2>&1
    local rc=$?
    if [ "$rc" -eq 0 ]; then
        ok "$name"
    else
        not_ok "$name" "exit $rc from: $*"
        e2e__detail "$tmpdir/last.out"
    fi
    return "$rc"
}

# check_exit NAME WANT CMD... — ok if CMD exits with status WANT.
check_exit() {
    local name=$1 want=$2; shift 2
    "$@" >"$tmpdir/last.out" 2>&1
    local rc=$?
    if [ "$rc" -eq "$want" ]; then
        ok "$name"
    else
        not_ok "$name" "exit $rc, want $want, from: $*"
        e2e__detail "$tmpdir/last.out"
        return 1
    fi
}

# check_eq NAME GOT WANT — ok if the two strings are equal.
check_eq() {
    if [ "$2" == "$3" ]; then
        ok "$1"
    else
        not_ok "$1" "got '$2', want '$3'"
        return 1
    fi
}

# check_grep NAME PATTERN CMD... — ok if CMD succeeds and its output matches PATTERN (grep -E).
check_grep() {
    local name=$1 pat=$2; shift 2
    "$@" >"$tmpdir/last.out" 2>&1
    local rc=$?
    if [ "$rc" -ne 0 ]; then
        not_ok "$name" "exit $rc from: $*"
        e2e__detail "$tmpdir/last.out"
        return 1
    fi
    if grep -Eq -- "$pat" "$tmpdir/last.out"; then
        ok "$name"
    else
        not_ok "$name" "output does not match /$pat/"
        e2e__detail "$tmpdir/last.out"
        return 1
    fi
}

# skip NAME REASON — a case that cannot run here; counts as passed, says why.
skip() {
    echo "ok $1 # SKIP ${2:-}"
    e2e__passed=$((e2e__passed + 1))
}

# check_last NAME PATTERN — ok if the output of the previous check* command matches
# PATTERN (grep -E). For asserting on a command that was expected to fail.
check_last() {
    if grep -Eq -- "$2" "$tmpdir/last.out"; then
        ok "$1"
    else
        not_ok "$1" "the last command's output does not match /$2/"
        e2e__detail "$tmpdir/last.out"
        return 1
    fi
}
