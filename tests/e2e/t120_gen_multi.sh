#!/usr/bin/env bash
# bench/gen_multi's population is what crmerge reads: 300 persons over ACT!, GoldMine,
# Siebel and HubSpot (through the loopback server), every record read without a reject,
# and truth.csv names exactly the (source, source_key) pairs extract reports; the same
# seed gives the same bytes.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/http/lib.sh"

GEN=$ROOT/build/bench/gen_multi
[ -x "$GEN" ] || { not_ok "gen_multi is built" "no $GEN (make tools)"; exit 1; }
d=$tmpdir/multi

check "gen_multi 300 persons" "$GEN" 300 "$d" --seed 5
cp "$tmpdir/last.out" "$tmpdir/gen.out"
check_grep "its summary names the persons and the records per source" \
    '^gen_multi: 300 persons, [0-9]+ records \(act [0-9]+, goldmine [0-9]+, siebel [0-9]+, hubspot [0-9]+' \
    cat "$tmpdir/gen.out"
check "the same seed again" "$GEN" 300 "$tmpdir/again" --seed 5
check "gives the same files" diff -r "$d" "$tmpdir/again"

"$CRMERGE" extract -c "$d/files.json" >"$tmpdir/files.jsonl" 2>"$tmpdir/files.err"
check_eq "extract -c files.json succeeds" "$?" 0
for s in act goldmine siebel; do
    check_grep "$s: records read, none rejected" "^extracted: $s: [1-9][0-9]* records, 0 rejected" \
        cat "$tmpdir/files.err"
done

http_start "$d/hubspot_scenario.json" || exit 1
sed "s|http://HUBSPOT_BASE_URL|$HTTP_BASE|" "$d/multi.json" >"$d/multi_live.json"
"$CRMERGE" extract -c "$d/multi_live.json" --source hubspot >"$tmpdir/hubspot.jsonl" \
    2>"$tmpdir/hubspot.err"
check_eq "the hubspot source reads through the loopback server" "$?" 0
check_grep "hubspot: records read, none rejected" '^extracted: hubspot: [1-9][0-9]* records, 0 rejected' \
    cat "$tmpdir/hubspot.err"
http_stop

# truth.csv against extract: "source<TAB>source_key", sorted, on both sides
python3 - "$d/truth.csv" >"$tmpdir/truth.keys" <<'PY'
import csv, sys
rows = csv.reader(open(sys.argv[1], newline="", encoding="utf-8"))
assert next(rows) == ["source", "source_key", "person_id"], "truth.csv header"
for src, key, pid in rows:
    assert int(pid) >= 1
    print(src + "\t" + key)
PY
check_eq "truth.csv has its header and a person for every row" "$?" 0
sort "$tmpdir/truth.keys" >"$tmpdir/truth.sorted"
cat "$tmpdir/files.jsonl" "$tmpdir/hubspot.jsonl" | jq -r '.source + "\t" + .source_key' |
    sort >"$tmpdir/extract.sorted"
check_eq "every truth row is extracted" \
    "$(comm -23 "$tmpdir/truth.sorted" "$tmpdir/extract.sorted" | wc -l)" 0
check_eq "every extracted record is in the truth" \
    "$(comm -13 "$tmpdir/truth.sorted" "$tmpdir/extract.sorted" | wc -l)" 0
check_eq "no key twice" "$(uniq -d "$tmpdir/extract.sorted" | wc -l)" 0
check_eq "four sources in the truth" "$(cut -f1 "$tmpdir/truth.sorted" | sort -u | tr '\n' ' ')" \
    "act goldmine hubspot siebel "
check_eq "300 persons in the truth" \
    "$(tail -n +2 "$d/truth.csv" | awk -F, '{ print $NF }' | sort -u | wc -l)" 300
