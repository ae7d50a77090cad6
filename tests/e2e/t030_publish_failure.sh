#!/usr/bin/env bash
# A failure at any point of the publish leaves the previous published state untouched:
# the database rolls back, the run is recorded as failed, and the next good run
# publishes the change.
. "$(dirname "$0")/lib.sh"

H='"Contact ID","Company","First Name","Last Name","E-mail","Phone"'
printf '%s\r\n' "$H" \
  '"C1","Cole Bakery","Ann","Cole","ann@cole.example","(555) 010-2233"' \
  '"C2","Smith & Co","John","Smith","john@smith.example","(555) 011-1111"' \
  '"C3","Dupont SA","Amélie","Dupont","amelie@dupont.example",""' >"$tmpdir/act.csv"
cat >"$tmpdir/pipeline.json" <<JSON
{ "sources": [ { "name": "act", "connector": "csv", "layout": "act", "path": "act.csv" } ] }
JSON

snapshot() {
    psql_q "SELECT md5(string_agg(c::text, '|' ORDER BY customer_id)) FROM crm.customer c;
            SELECT md5(string_agg(x::text, '|' ORDER BY source, source_key)) FROM crm.crosswalk x;
            SELECT md5(string_agg(r::text, '|' ORDER BY source, source_key)) FROM crm.source_record r"
}

check "version 1 is published" "$CRMERGE" run -c "$tmpdir/pipeline.json"
v1=$(snapshot)

# version 2: a changed name, a new record, a removed record
printf '%s\r\n' "$H" \
  '"C1","Cole Bakery","Ann","Cole-Baker","ann@cole.example","(555) 010-2233"' \
  '"C3","Dupont SA","Amélie","Dupont","amelie@dupont.example",""' \
  '"C4","Nordic AS","Bjørn","Åsheim","bjorn@nordic.example",""' >"$tmpdir/act.csv"

for step in after_records before_commit; do
    CRMERGE_FAULT=$step check_exit "a failure injected at $step exits 6" 6 \
        "$CRMERGE" run -c "$tmpdir/pipeline.json"
    check_last "the message says the publish failed at $step" "injected fault at $step"
    check_eq "after a failure at $step the published view is version 1" "$(snapshot)" "$v1"
    check_eq "the run that failed at $step is recorded as failed" \
        "$(psql_q "SELECT status FROM crm.run ORDER BY run_id DESC LIMIT 1")" failed
done

# the server killing the session mid-publish: same guarantee
( for _ in $(seq 100); do
      n=$(psql_q "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                  WHERE application_name = 'crmerge' AND query LIKE '%pg_sleep%'")
      [ "$n" = 0 ] || break
      sleep 0.1
  done ) &
killer=$!
CRMERGE_FAULT=sleep_before_commit "$CRMERGE" run -c "$tmpdir/pipeline.json" >"$tmpdir/killed.out" 2>&1
rc=$?
wait "$killer"
check_eq "a connection killed mid-publish exits 6" "$rc" 6
check_eq "after the killed connection the published view is version 1" "$(snapshot)" "$v1"

check "the next good run publishes version 2" "$CRMERGE" run -c "$tmpdir/pipeline.json"
check_last "it reports 1 new, 1 changed, 1 unchanged, 1 deleted" \
    '1 new, 1 changed, 1 unchanged, 1 deleted'
check_eq "the removed record is marked deleted, the others are live" \
    "$(psql_q "SELECT string_agg(source_key || ':' || (deleted_run IS NOT NULL), ',' ORDER BY source_key)
               FROM crm.source_record")" "C1:false,C2:true,C3:false,C4:false"
check_eq "its customer is retired" \
    "$(psql_q "SELECT count(*) FROM crm.customer WHERE retired_run IS NOT NULL AND family_name = 'Smith'")" 1
check_eq "the changed record is in the view" \
    "$(psql_q "SELECT family_name FROM crm.customer WHERE email = 'ann@cole.example'")" "Cole-Baker"
check_eq "Ann keeps her customer id across the change" \
    "$(psql_q "SELECT customer_id FROM crm.crosswalk WHERE source_key = 'C1'")" 1
