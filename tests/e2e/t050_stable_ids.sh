#!/usr/bin/env bash
# Customer ids survive reordered exports, and derived keys survive them too (an ACT!
# export without an id column); duplicate keys are kept apart deterministically.
. "$(dirname "$0")/lib.sh"

H='"Company","First Name","Last Name","E-mail","Phone"'
printf '%s\r\n' "$H" \
  '"Cole Bakery","Ann","Cole","ann@cole.example","(555) 010-2233"' \
  '"Smith & Co","John","Smith","john@smith.example","(555) 011-1111"' \
  '"Dupont SA","Amélie","Dupont","amelie@dupont.example",""' \
  '"Cole Bakery","Ann","Cole","ann@cole.example","(555) 010-9999"' \
  '"Cole Bakery","Ann","Cole","ann@cole.example","(555) 010-9999"' \
  '"Nordic AS","Bjørn","Åsheim","","+47 22 33 44 55"' >"$tmpdir/act.csv"
cat >"$tmpdir/pipeline.json" <<JSON
{ "sources": [ { "name": "act", "connector": "csv", "layout": "act", "path": "act.csv" } ] }
JSON

ids() {
    psql_q "SELECT string_agg(r.canonical->>'family_name' || '=' || x.customer_id || '/' || x.source_key,
                              ',' ORDER BY x.source_key)
            FROM crm.crosswalk x JOIN crm.source_record r USING (source, source_key)"
}
check "first run" "$CRMERGE" run -c "$tmpdir/pipeline.json"
check_eq "six rows give six source records, derived keys kept apart" \
    "$(psql_q "SELECT count(*) || '/' || count(*) FILTER (WHERE key_derived) FROM crm.source_record")" "6/6"
check_eq "Ann's three rows are one customer" \
    "$(psql_q "SELECT count(DISTINCT customer_id) FROM crm.customer WHERE family_name = 'Cole'")" 1
check_eq "4 customers" "$(psql_q 'SELECT count(*) FROM crm.customer')" 4
first=$(ids)

# the same export, rows in another order
{ printf '%s\r\n' "$H"; sed 1d "$tmpdir/act.csv" | tac; } >"$tmpdir/act2.csv"
mv "$tmpdir/act2.csv" "$tmpdir/act.csv"
check_grep "the reordered export changes nothing" 'nothing changed since the last run' \
    "$CRMERGE" run -c "$tmpdir/pipeline.json"
check_eq "every record keeps its key and customer id" "$(ids)" "$first"

# a key that was unchanged yesterday and is repeated today (the same person entered
# again with another phone): both records kept, each with its own content and key
cat >"$tmpdir/dup.json" <<JSON
{ "target": { "schema": "dup" },
  "sources": [ { "name": "act", "connector": "csv", "layout": "act", "path": "dup.csv" } ] }
JSON
printf '%s\r\n' "$H" '"Cole Bakery","Ann","Cole","ann@cole.example","(555) 010-2233"' >"$tmpdir/dup.csv"
check "day 1: Ann once" "$CRMERGE" run -c "$tmpdir/dup.json"
printf '%s\r\n' '"Cole Bakery","Ann","Cole","ann@cole.example","(555) 010-7777"' >>"$tmpdir/dup.csv"
check "day 2: Ann again with another phone" "$CRMERGE" run -c "$tmpdir/dup.json"
check_eq "both records are kept, each canonical carries its own key and phone" \
    "$(psql_q "SELECT string_agg(canonical->'phones'->0->>'number', ',' ORDER BY canonical->'phones'->0->>'number')
               || ' ' || bool_and(canonical->>'source_key' = source_key) || ' ' || count(*)
               FROM dup.source_record WHERE deleted_run IS NULL")" \
    "(555) 010-2233,(555) 010-7777 true 2"
check_eq "they are one customer" \
    "$(psql_q "SELECT count(DISTINCT customer_id) || '/' || count(*) FROM dup.crosswalk")" "1/2"
{ printf '%s\r\n' "$H"; sed 1d "$tmpdir/dup.csv" | tac; } >"$tmpdir/dup2.csv"
mv "$tmpdir/dup2.csv" "$tmpdir/dup.csv"
check_grep "day 3, the two rows swapped: nothing changed" 'nothing changed since the last run' \
    "$CRMERGE" run -c "$tmpdir/dup.json"
