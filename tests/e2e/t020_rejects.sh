#!/usr/bin/env bash
# Bad rows among good ones: the good ones are published, each bad one is in
# rejected_record with its line and reason. Over reject_rate_max nothing is published,
# the exit code says so, and the rejects are still recorded.
. "$(dirname "$0")/lib.sh"

H='"Contact ID","Company","First Name","Last Name","E-mail","Phone","Create Date"'
printf '%s\r\n' "$H" \
  '"C1","Cole Bakery","Ann","Cole","ann@cole.example","(555) 010-2233","3/7/2019"' \
  '"C2","Smith & Co","John","Smith","john@smith.example","(555) 011-1111","6/30/2015","extra","fields"' \
  '"C3","Dupont SA","Amélie","Dupont","amelie@dupont.example","+33 1 42 68 53 00","1/22/2021"' \
  '"C4","Lee Inc","Kim","Lee,"kim@lee.example","","1/1/2020"' \
  '"C5","Weiß GmbH","Hans","Weiß","hans@weiss.example","+49 89 998877","2/29/2016"' \
  >"$tmpdir/act.csv"
cat >"$tmpdir/pipeline.json" <<JSON
{ "target": { "schema": "crm" },
  "sources": [ { "name": "act", "connector": "csv", "layout": "act", "path": "act.csv" } ],
  "reject_rate_max": 0.5 }
JSON

check "a run with 2 bad rows of 5 under a 50% limit succeeds" "$CRMERGE" run -c "$tmpdir/pipeline.json"
check_eq "the 3 good records are published with their own ids" \
    "$(psql_q "SELECT string_agg(source_key, ',' ORDER BY source_key) FROM crm.source_record")" "C1,C3,C5"
check_eq "each bad row is in rejected_record with its line and reason" \
    "$(psql_q "SELECT string_agg(regexp_replace(location, '.*/', '') || ' ' || reason, '; ' ORDER BY seq)
               FROM crm.rejected_record")" \
    "act.csv:3 9 fields, header has 7; act.csv:5 unbalanced quote"
check_eq "the raw text of a rejected row is kept" \
    "$(psql_q "SELECT raw FROM crm.rejected_record WHERE location LIKE '%:5'")" \
    "$(sed -n 5p "$tmpdir/act.csv" | tr -d '\r')"

# now a strict limit: the same file must publish nothing, and say so
sed -i 's/"reject_rate_max": 0.5/"reject_rate_max": 0.01/' "$tmpdir/pipeline.json"
printf '%s\r\n' '"C6","New Co","Neu","Kunde","neu@new.example","","1/1/2024"' >>"$tmpdir/act.csv"
before=$(psql_q "SELECT count(*) || '/' || max(last_seen_run) FROM crm.source_record")
check_exit "over reject_rate_max the run exits 4" 4 "$CRMERGE" run -c "$tmpdir/pipeline.json"
check_last "the message names the rate and the limit" \
    '2 of 6 records rejected \(33.33%\), over reject_rate_max 1.00%: nothing published'
check_eq "nothing was published (the new record is absent, old rows untouched)" \
    "$(psql_q "SELECT count(*) || '/' || max(last_seen_run) FROM crm.source_record")" "$before"
check_eq "the run is recorded as rejected" \
    "$(psql_q "SELECT status FROM crm.run ORDER BY run_id DESC LIMIT 1")" rejected
check_eq "its rejects are recorded all the same" \
    "$(psql_q "SELECT count(*) FROM crm.rejected_record
               WHERE run_id = (SELECT max(run_id) FROM crm.run)")" 2

# a source that cannot be read at all fails the run without publishing
cat >"$tmpdir/gone.json" <<JSON
{ "sources": [ { "name": "act", "connector": "csv", "layout": "act", "path": "act.csv" },
               { "name": "gz", "connector": "csv", "layout": "act", "path": "broken.csv.gz" } ],
  "reject_rate_max": 0.5 }
JSON
printf '%s\r\n' "$H" '"G1","Gz Co","Gee","Zed","gz@gz.example","","1/1/2020"' | gzip -c | head -c 40 >"$tmpdir/broken.csv.gz"
check_exit "a truncated gzip source fails the run with exit 5" 5 "$CRMERGE" run -c "$tmpdir/gone.json"
check_last "the message names the source" 'source gz failed: '
check_eq "and nothing of the other source was published either" \
    "$(psql_q "SELECT count(*) || '/' || max(last_seen_run) FROM crm.source_record")" "$before"

# rejected rows of a Windows-1252 file, and one with a NUL byte: recorded, readable
printf '"Contact ID","Company","Last Name","E-mail"\r\n"W1","M\xfcller GmbH","M\xfcller","m@m.example","x"\r\n"W2","Ok","Ok","ok@ok.example"\r\n"W3","N\0ul","Nul","n@n.example"\r\n' >"$tmpdir/cp.csv"
cat >"$tmpdir/cp.json" <<JSON
{ "target": { "schema": "cp" },
  "sources": [ { "name": "cp", "connector": "csv", "layout": "act", "path": "cp.csv",
                 "encoding": "windows-1252" } ],
  "reject_rate_max": 0.9 }
JSON
check "a cp1252 file with bad rows publishes its good row" "$CRMERGE" run -c "$tmpdir/cp.json"
check_eq "undecoded bytes and NUL bytes are kept visibly as \\xNN in rejected_record.raw" \
    "$(psql_q "SELECT string_agg(reason || ' | ' || raw, E'\n' ORDER BY seq) FROM cp.rejected_record")" \
    "$(printf '%s\n%s' '5 fields, header has 4 | "W1","M\xfcller GmbH","M\xfcller","m@m.example","x"' \
                      'NUL byte in field 2 (Company) | "W3","N\x00ul","Nul","n@n.example"')"
