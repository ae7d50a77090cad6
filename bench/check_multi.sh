#!/usr/bin/env bash
# bench/check_multi.sh — is a gen_multi population readable, and does its truth match?
#
#   bench/check_multi.sh OUTDIR [--no-http]
#
# Runs `crmerge extract -c OUTDIR/files.json` (ACT!, GoldMine, Siebel) and, unless
# --no-http, `crmerge extract` of the hubspot source of OUTDIR/multi.json against the
# loopback test server (tests/http/server.py serving OUTDIR/hubspot.json; the config's
# placeholder base_url is replaced by the server's in OUTDIR/multi_live.json). Then
# compares the (source, source_key) pairs extract reports with truth.csv: every truth row
# must be extracted and every extracted record must be in the truth, each exactly once.
# Prints the records and rejects per source; exits 1 on any reject, missing or extra key.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
crmerge=${CRMERGE:-$root/crmerge}
dir=${1:?usage: bench/check_multi.sh OUTDIR [--no-http]}
http=1
[ "${2:-}" = --no-http ] && http=0
dir=$(cd "$dir" && pwd) || exit 2
work=$(mktemp -d "${TMPDIR:-/tmp}/check_multi.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
fail=0

"$crmerge" extract -c "$dir/files.json" >"$work/files.jsonl" 2>"$work/files.err"
rc=$?
grep '^extracted:' "$work/files.err" | sed 's/ (.*//'
if [ "$rc" -ne 0 ]; then
    echo "check_multi: crmerge extract -c files.json exited $rc" >&2
    tail -n 5 "$work/files.err" >&2
    fail=1
fi
cp "$work/files.jsonl" "$work/all.jsonl"
sources="act goldmine siebel"

if [ "$http" = 1 ]; then
    # shellcheck disable=SC2034       # tests/http/lib.sh keeps its files under $tmpdir/http
    tmpdir=$work
    # shellcheck source=../tests/http/lib.sh
    . "$root/tests/http/lib.sh"
    if http_start "$dir/hubspot_scenario.json" --max-requests 1000000 --idle-exit 120; then
        sed "s|http://HUBSPOT_BASE_URL|$HTTP_BASE|" "$dir/multi.json" >"$dir/multi_live.json"
        "$crmerge" extract -c "$dir/multi_live.json" --source hubspot \
            >"$work/hubspot.jsonl" 2>"$work/hubspot.err"
        rc=$?
        http_stop
        grep '^extracted:' "$work/hubspot.err" | sed 's/ (.*//'
        if [ "$rc" -ne 0 ]; then
            echo "check_multi: crmerge extract --source hubspot exited $rc" >&2
            tail -n 5 "$work/hubspot.err" >&2
            fail=1
        fi
        cat "$work/hubspot.jsonl" >>"$work/all.jsonl"
        sources="$sources hubspot"
    else
        echo "check_multi: the loopback server did not start" >&2
        fail=1
    fi
fi

# rejects: "extracted: NAME: N records, R rejected"
if grep -h '^extracted:' "$work"/*.err | grep -qv ' 0 rejected'; then
    echo "check_multi: some records were rejected:" >&2
    grep -h '^rejected:' "$work"/*.err | head -n 5 >&2
    fail=1
fi

python3 - "$dir/truth.csv" "$work/all.jsonl" $sources <<'PY' || fail=1
import collections, csv, json, sys
truth_path, jsonl_path, sources = sys.argv[1], sys.argv[2], set(sys.argv[3:])
truth = collections.Counter()
with open(truth_path, newline="", encoding="utf-8") as f:
    rows = csv.reader(f)
    if next(rows) != ["source", "source_key", "person_id"]:
        sys.exit("check_multi: truth.csv: unexpected header")
    for src, key, _pid in rows:
        if src in sources:
            truth[(src, key)] += 1
got = collections.Counter()
with open(jsonl_path, encoding="utf-8") as f:
    for line in f:
        r = json.loads(line)
        got[(r["source"], r["source_key"])] += 1
missing = truth - got
extra = got - truth
dups = [k for k, n in list(truth.items()) + list(got.items()) if n > 1]
print("check_multi: %d truth rows, %d extracted records, %d missing, %d not in the truth, "
      "%d keys twice" % (sum(truth.values()), sum(got.values()), sum(missing.values()),
                         sum(extra.values()), len(dups)))
for what, keys in (("missing", missing), ("not in the truth", extra), ("twice", dups)):
    for k in list(keys)[:5]:
        print("  %s: %s %r" % (what, k[0], k[1]))
sys.exit(1 if missing or extra or dups else 0)
PY
exit "$fail"
