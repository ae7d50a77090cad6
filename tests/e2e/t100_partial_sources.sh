#!/usr/bin/env bash
# "allow_partial": a source that breaks off (here: its export cannot be read tonight) keeps
# yesterday's records as they were — not deleted, still merged with other sources —
# while the other sources publish; the break is in the summary and rejected_record.
# Without allow_partial the same break fails the run and publishes nothing.
. "$(dirname "$0")/lib.sh"

H='"Contact ID","Company","First Name","Last Name","E-mail"'
printf '%s\r\n' "$H" \
  '"A1","Cole Bakery","Ann","Cole","ann@cole.example"' \
  '"A2","Smith & Co","John","Smith","john@smith.example"' >"$tmpdir/a.csv"
printf '%s\r\n' "$H" \
  '"B1","Cole Bakery","Ann","Cole","ann@cole.example"' \
  '"B2","Dupont SA","Amélie","Dupont","amelie@dupont.example"' >"$tmpdir/b.csv"
cat >"$tmpdir/strict.json" <<JSON
{ "sources": [ { "name": "a", "connector": "csv", "layout": "act", "path": "a.csv" },
               { "name": "b", "connector": "csv", "layout": "act", "path": "b.csv" } ] }
JSON
cat >"$tmpdir/partial.json" <<JSON
{ "sources": [ { "name": "a", "connector": "csv", "layout": "act", "path": "a.csv" },
               { "name": "b", "connector": "csv", "layout": "act", "path": "b.csv",
                 "allow_partial": true } ] }
JSON
view() {
    psql_q "SELECT string_agg(x.source || ':' || x.source_key || '=' || c.family_name
                              || CASE WHEN r.deleted_run IS NULL THEN '' ELSE ' deleted' END,
                              ',' ORDER BY x.source, x.source_key)
            FROM crm.crosswalk x JOIN crm.customer c USING (customer_id)
            JOIN crm.source_record r USING (source, source_key)"
}
check "day 1: both sources publish" "$CRMERGE" run -c "$tmpdir/partial.json"
check_eq "Ann from both sources is one customer" \
    "$(psql_q "SELECT count(DISTINCT customer_id) FROM crm.crosswalk WHERE source_key IN ('A1','B1')")" 1
day1=$(view)

# day 2: b's export cannot be read (a directory where the file should be stands in for
# an I/O error), a has a new contact
mv "$tmpdir/b.csv" "$tmpdir/b.saved"
mkdir "$tmpdir/b.csv"
printf '%s\r\n' '"A3","Nordic AS","Bjørn","Åsheim","bjorn@nordic.example"' >>"$tmpdir/a.csv"
check_exit "without allow_partial the missing export fails the run" 5 \
    "$CRMERGE" run -c "$tmpdir/strict.json"
check_eq "... and nothing was published" "$(view)" "$day1"

check_grep "with allow_partial the run succeeds and says the source is partial" \
    'PARTIAL: .*b.csv' "$CRMERGE" run -c "$tmpdir/partial.json"
check_eq "a's new contact is published, b's records are kept (not deleted), Ann still one customer" \
    "$(view)" "a:A1=Cole,a:A2=Smith,a:A3=Åsheim,b:B1=Cole,b:B2=Dupont"
check_eq "Ann's records still share one customer id" \
    "$(psql_q "SELECT count(DISTINCT customer_id) FROM crm.crosswalk WHERE source_key IN ('A1','B1')")" 1
check_eq "no customer was retired" "$(psql_q 'SELECT count(*) FROM crm.customer WHERE retired_run IS NOT NULL')" 0
check_eq "the run summary marks b partial with its error and counts 2 kept records" \
    "$(psql_q "SELECT s->>'read', s->>'error' LIKE '%b.csv%', summary->>'records_kept'
               FROM crm.run, jsonb_array_elements(summary->'sources') s
               WHERE run_id = (SELECT max(run_id) FROM crm.run) AND s->>'name' = 'b'" | tr '|' ' ')" \
    "partial t 2"
check_eq "rejected_record names the break, once" \
    "$(psql_q "SELECT count(*) FROM crm.rejected_record
               WHERE run_id = (SELECT max(run_id) FROM crm.run) AND source = 'b'
                 AND reason LIKE 'source broke off (allow_partial)%'")" 1
check_eq "the b records' last_seen_run stays day 1's" \
    "$(psql_q "SELECT DISTINCT last_seen_run FROM crm.source_record WHERE source = 'b'")" \
    "$(psql_q "SELECT min(run_id) FROM crm.run")"

# day 3: b is back without B2: read whole again, B2 is deleted now
rmdir "$tmpdir/b.csv"
mv "$tmpdir/b.saved" "$tmpdir/b.csv"
sed -i '/B2/d' "$tmpdir/b.csv"
check "day 3: b is back" "$CRMERGE" run -c "$tmpdir/partial.json"
check_eq "read whole, b's missing record is deleted" \
    "$(psql_q "SELECT source_key FROM crm.source_record WHERE deleted_run IS NOT NULL")" "B2"
