#!/usr/bin/env bash
# Match evidence: every pair the resolver decided is in match_evidence, keyed by the two
# source records in order, with its decision and rule; reruns leave the rows alone, a
# pair no longer decided or with a deleted record loses its row, and a failed publish
# leaves the evidence as it was. The review queue's rules are checked on the publish
# functions themselves (tests/unit/test_pg_publish.c, run here against the database).
. "$(dirname "$0")/lib.sh"

H='"Contact ID","Company","First Name","Last Name","E-mail","Phone"'
# b_office is read first, so its records have the lower record numbers: the pairs must
# still come out ordered by (source, key)
write_b() {
    printf '%s\r\n' "$H" "$@" >"$tmpdir/b.csv"
}
ANN_B='"C2","Cole Bakery","Ann","Cole","ann@cole.example","(555) 010-2233"'
JON_B='"C4","Smith & Co","Jon","Smith","john@smith.example",""'
JOHN_B='"C3","Smith & Co","John","Smith","john@smith.example","(555) 011-1111"'
write_b "$ANN_B" "$JON_B" "$JOHN_B"
printf '%s\r\n' "$H" \
  '"A1","Cole Bakery","Ann","Cole","ann@cole.example",""' \
  '"A2","Dupont SA","Amélie","Dupont","amelie@dupont.example",""' >"$tmpdir/a.csv"
cat >"$tmpdir/pipeline.json" <<JSON
{ "match": { "method": "exact" },
  "sources": [ { "name": "b_office", "connector": "csv", "layout": "act", "path": "b.csv" },
               { "name": "a_office", "connector": "csv", "layout": "act", "path": "a.csv" } ] }
JSON

evidence() {
    psql_q "SELECT string_agg(concat_ws('|', source_a, key_a, source_b, key_b, decision, rule,
                                        evidence::text, weight, probability),
                              ',' ORDER BY source_a, key_a, source_b, key_b)
            FROM crm.match_evidence"
}
table_md5() {
    psql_q "SELECT md5(string_agg(e::text, '|' ORDER BY source_a, key_a, source_b, key_b))
            FROM crm.match_evidence e"
}

check "first run" "$CRMERGE" run -c "$tmpdir/pipeline.json"
cp "$tmpdir/last.out" "$tmpdir/run1.out"
check_eq "both shared e-mails are in match_evidence, each pair in (source, key) order" \
    "$(evidence)" \
    "a_office|A1|b_office|C2|match|same e-mail|[]|0|1,b_office|C3|b_office|C4|match|same e-mail|[]|0|1"
check_eq "the evidence names the run that decided it" \
    "$(psql_q "SELECT string_agg(DISTINCT run_id::text, ',') FROM crm.match_evidence")" \
    "$(psql_q "SELECT max(run_id) FROM crm.run")"
check_eq "the exact resolver sends nothing to review" \
    "$(psql_q "SELECT count(*) FROM crm.review_queue")" 0
check_grep "the summary prints the resolver's line" \
    '^  resolve    exact: 2 pairs matched, 0 for review$' cat "$tmpdir/run1.out"
check_eq "the run's summary holds the resolver's report and the evidence counts" \
    "$(psql_q "SELECT concat_ws(' ', summary->'resolve'->>'method',
                                summary->'resolve'->>'pairs_matched',
                                summary->>'pairs_matched', summary->>'pairs_review')
               FROM crm.run ORDER BY run_id DESC LIMIT 1")" "exact 2 2 0"
check_eq "the tables say what they hold" \
    "$(psql_q "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = 'crm' AND c.relname IN ('match_evidence', 'review_queue')
                 AND obj_description(c.oid, 'pg_class') <> ''")" 2

v1=$(table_md5)
check_grep "a rerun changes nothing" 'nothing changed since the last run' \
    "$CRMERGE" run -c "$tmpdir/pipeline.json"
check_eq "a rerun leaves the same evidence rows (run ids too)" "$(table_md5)" "$v1"
write_b "$JOHN_B" "$ANN_B" "$JON_B"
check "a run on the rows in another order" "$CRMERGE" run -c "$tmpdir/pipeline.json"
check_eq "the reordered export leaves the same evidence rows" "$(table_md5)" "$v1"

# Ann's b_office record gets another address: the pair is no longer decided
write_b "$JOHN_B" '"C2","Cole Bakery","Ann","Cole","ann.cole@cole.example","(555) 010-2233"' "$JON_B"
for step in after_records before_commit; do
    CRMERGE_FAULT=$step check_exit "a publish failing at $step exits 6" 6 \
        "$CRMERGE" run -c "$tmpdir/pipeline.json"
    check_eq "after the failure at $step match_evidence is as it was" "$(table_md5)" "$v1"
done
check "the next good run publishes" "$CRMERGE" run -c "$tmpdir/pipeline.json"
check_eq "the pair no longer decided has lost its evidence" "$(evidence)" \
    "b_office|C3|b_office|C4|match|same e-mail|[]|0|1"

# Jon's record is removed from the export: its pair goes with it
write_b "$JOHN_B" '"C2","Cole Bakery","Ann","Cole","ann.cole@cole.example","(555) 010-2233"'
check "a run without Jon's record" "$CRMERGE" run -c "$tmpdir/pipeline.json"
cp "$tmpdir/last.out" "$tmpdir/run_deleted.out"
check_last "it says one record is deleted" '0 new, 0 changed, 4 unchanged, 1 deleted'
check_eq "the removed record's pair is gone from match_evidence" \
    "$(psql_q "SELECT count(*) FROM crm.match_evidence")" 0
check_grep "the summary says no pairs matched" '^  resolve    exact: 0 pairs matched, 0 for review$' \
    cat "$tmpdir/run_deleted.out"

# the review queue and the pair rules, on the publish functions with review pairs
if [ -x build/tests/test_pg_publish ]; then
    CRMERGE_TEST_PG=1 check_grep "the publish functions keep evidence and review queue right" \
        '^RESULT [1-9][0-9]* 0$' build/tests/test_pg_publish
else
    not_ok "the publish functions keep evidence and review queue right" \
        "build/tests/test_pg_publish is not built (make tools)"
fi
