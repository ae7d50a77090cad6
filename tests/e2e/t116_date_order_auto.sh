#!/usr/bin/env bash
# "date_order": "auto": a German (DMY) and an American (MDY) ACT! export, most of whose
# dates are ambiguous, are each read right; a source with both kinds is refused with
# the column and an example of each; check prints the decided order.
. "$(dirname "$0")/lib.sh"

H='"Contact ID","Company","First Name","Last Name","Create Date","Edit Date"'
printf '%s\r\n' "$H" \
  '"D1","Weiß GmbH","Hans","Weiß","03.07.2019","04.05.2020"' \
  '"D2","Kohl AG","Eva","Kohl","01.02.2018","13.03.2019 14:30"' \
  '"D3","Brot KG","Udo","Brot","05.06.2017",""' >"$tmpdir/de.csv"
printf '%s\r\n' "$H" \
  '"U1","Cole Bakery","Ann","Cole","03/07/2019","04/05/2020"' \
  '"U2","Lee Inc","Kim","Lee","01/02/2018","03/13/2019 2:30 PM"' \
  '"U3","Smith & Co","John","Smith","2017-06-05",""' >"$tmpdir/us.csv"
printf '%s\r\n' "$H" \
  '"X1","A","A","A","03/07/2019","13.03.2019"' \
  '"X2","B","B","B","03/13/2019",""' >"$tmpdir/mixed.csv"
printf '%s\r\n' "$H" '"N1","A","A","A","03.07.2019","2019-03-07"' >"$tmpdir/none.csv"

cat >"$tmpdir/pipeline.json" <<JSON
{ "sources": [
    { "name": "de", "connector": "csv", "layout": "act", "path": "de.csv", "date_order": "auto" },
    { "name": "us", "connector": "csv", "layout": "act", "path": "us.csv", "date_order": "auto" },
    { "name": "none", "connector": "csv", "layout": "act", "path": "none.csv", "date_order": "auto" } ] }
JSON
cat >"$tmpdir/mixed.json" <<JSON
{ "sources": [
    { "name": "mixed", "connector": "csv", "layout": "act", "path": "mixed.csv", "date_order": "auto" } ] }
JSON

dates() {   # source -> "key created updated" per record
    "$CRMERGE" extract -c "$tmpdir/pipeline.json" --source "$1" |
        python3 -c 'import json,sys
for l in sys.stdin:
    r = json.loads(l); print(r["source_key"], r["created"], r["source_updated"])'
}
check_eq "a DMY file is read day first (13.03.2019 decides it)" "$(dates de)" \
"D1 2019-07-03 2020-05-04
D2 2018-02-01 2019-03-13T14:30:00
D3 2017-06-05 None"
check_eq "an MDY file is read month first (03/13/2019 decides it)" "$(dates us)" \
"U1 2019-03-07 2020-04-05
U2 2018-01-02 2019-03-13T14:30:00
U3 2017-06-05 None"
check_eq "no deciding value: the layout's order (act: MDY)" "$(dates none)" \
"N1 2019-03-07 2019-03-07"

check_exit "day-first and month-first dates in one source are a config error" 3 \
    "$CRMERGE" extract -c "$tmpdir/mixed.json"
check_last "the error names both columns and an example of each" \
    'sources\[0\]\.date_order: auto: column "Edit Date" holds day-first dates \("13\.03\.2019"\) and column "Create Date" month-first dates \("03/13/2019"\)'
printf '%s\r\n' "$H" '"X1","A","A","A","13.03.2019",""' '"X2","B","B","B","03/13/2019",""' \
    >"$tmpdir/mixed.csv"
check_exit "both kinds in one column are refused too" 3 "$CRMERGE" extract -c "$tmpdir/mixed.json"
check_last "naming the column and an example of each" \
    'column "Create Date" holds day-first dates \("13\.03\.2019"\) and month-first dates \("03/13/2019"\); name the order'

"$CRMERGE" check -c "$tmpdir/pipeline.json" >"$tmpdir/check.out" 2>&1
check_grep "check prints the decided order of an auto source" \
    '^  dates read as DMY \(auto: 1 value is day-first, 4 ambiguous\)' cat "$tmpdir/check.out"
check_grep "and the fallback when nothing decides" \
    "^  dates read as MDY \(auto: no value decides, 1 ambiguous; the layout's order\)" \
    cat "$tmpdir/check.out"
