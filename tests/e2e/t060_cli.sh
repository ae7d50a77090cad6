#!/usr/bin/env bash
# The command line as a user and cron see it: help, version, exit codes, error
# messages that name the problem, and secrets that never appear.
. "$(dirname "$0")/lib.sh"

check_grep "--help lists the commands" '^  run ' "$CRMERGE" --help
check_grep "--version prints the version" '^crmerge [0-9]+\.[0-9]+\.[0-9]+$' "$CRMERGE" --version
check_grep "run --help shows usage and exit codes" '7 another run holds the lock' "$CRMERGE" run --help
check_grep "extract --help shows both forms" 'crmerge extract --layout NAME FILE' "$CRMERGE" extract --help
check_exit "no command is a usage error" 2 "$CRMERGE"
check_exit "an unknown command is a usage error" 2 "$CRMERGE" frobnicate
check_last "and says which" "unknown command 'frobnicate'"
check_exit "run without -c is a usage error" 2 "$CRMERGE" run
check_exit "an unknown option is a usage error" 2 "$CRMERGE" run -c x.json --fast

cat >"$tmpdir/bad.json" <<'JSON'
{ "sources": [ { "name": "act", "connector": "csv", "layout": "act", "path": "nowhere/act.csv" } ] }
JSON
check_exit "a config naming a missing file exits 3" 3 "$CRMERGE" run -c "$tmpdir/bad.json"
check_last "the error names the JSON path and the file" \
    '^crmerge: sources\[0\]\.path: nowhere/act\.csv: file not found$'
printf '"Company","Last Name"\r\n"X","Y"\r\n' >"$tmpdir/act.csv"
cat >"$tmpdir/badlayout.json" <<'JSON'
{ "sources": [ { "name": "act", "connector": "csv", "layout": "actt", "path": "act.csv" } ] }
JSON
check_exit "an unknown layout exits 3" 3 "$CRMERGE" extract -c "$tmpdir/badlayout.json"
check_last "the error names the layout" 'sources\[0\]\.layout: .*actt.*'
cat >"$tmpdir/badconn.json" <<'JSON'
{ "sources": [ { "name": "act", "connector": "cvs", "layout": "act", "path": "act.csv" } ] }
JSON
check_exit "an unknown connector exits 3" 3 "$CRMERGE" run -c "$tmpdir/badconn.json"
check_last "the error names the connector" 'sources\[0\]\.connector: unknown connector "cvs"'

check_grep "extract --layout reads files named on the command line" '"source":"act"' \
    "$CRMERGE" extract --layout act "$tmpdir/act.csv"
check_exit "extract --source with an unknown name is a usage error" 2 \
    "$CRMERGE" extract -c examples/pipeline.json --source nope

# the database connection comes from the environment; secrets never appear
CRMERGE_DSN="host=/nonexistent-socket-dir port=5 user=alice password=s3cr3t-pw dbname=x" \
    check_exit "an unreachable database exits 6" 6 "$CRMERGE" run -c examples/pipeline.json
check_last "the error says where the connection came from" 'database connection failed \(from CRMERGE_DSN\)'
if grep -q 's3cr3t-pw' "$tmpdir/last.out"; then
    not_ok "the password is not printed" "found in: $(cat "$tmpdir/last.out")"
else
    ok "the password is not printed"
fi
CRMERGE_DSN="host=/nonexistent-socket-dir password=s3cr3t-pw" \
    check_exit "check reports the database problem with its exit code" 6 \
    "$CRMERGE" check -c examples/pipeline.json
check_last "check says nothing was written" 'check: problems found \(nothing was written\)'
check_eq "runs with config errors wrote nothing to the database" \
    "$(psql_q "SELECT count(*) FROM pg_tables WHERE schemaname = 'crm'")" 0

# nightly wrapper: a dated log, the exit code passed through, a lock file
out=$(cd "$ROOT" && ./run.sh nightly -c "$tmpdir/bad.json" 2>&1)
rc=$?
check_eq "run.sh nightly passes crmerge's exit code through" "$rc" 3
log=$(printf '%s\n' "$out" | grep -oE 'var/log/nightly-[0-9]{8}-[0-9]{6}\.log' | head -n 1)
check_eq "run.sh nightly names its dated log file" "$([ -n "$log" ] && [ -f "$ROOT/$log" ] && echo yes)" yes
[ -n "$log" ] && rm -f "$ROOT/$log"
