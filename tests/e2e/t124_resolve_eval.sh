#!/usr/bin/env bash
# `crmerge resolve` writes the clusters of a resolver without a database; `crmerge eval`
# measures them against a truth: on the Febrl data (../shared/data/febrl, when present)
# and on the hand-written Febrl fixtures in the linkage form (two files, two sources).
# The exact resolver joins nothing on Febrl (no e-mails, all keys distinct): every
# record its own cluster, recall and F1 0; the matcher's author measures the matcher.
. "$(dirname "$0")/lib.sh"

FX=tests/fixtures/febrl
FEBRL=$ROOT/../shared/data/febrl
py() { python3 -c "$@"; }

# ---- Febrl dataset1: 1000 records, 500 persons -------------------------------------
if [ -f "$FEBRL/dataset1.csv" ]; then
    check "resolve --layout febrl dataset1 --method exact" \
        "$CRMERGE" resolve --layout febrl "$FEBRL/dataset1.csv" --method exact \
        --clusters-out "$tmpdir/c1.csv"
    cp "$tmpdir/last.out" "$tmpdir/resolve.err"
    check_eq "1000 rows and the header" "$(wc -l <"$tmpdir/c1.csv")" 1001
    check_eq "the header names the columns" "$(head -1 "$tmpdir/c1.csv")" \
        "source,source_key,cluster_id"
    check_eq "every row: source dataset1, a rec_id, the record's own cluster (exact joins none)" \
        "$(awk -F, 'NR > 1 && !($1 == "dataset1" && $2 ~ /^rec-[0-9]+-(org|dup-[0-9]+)$/ && $3 == NR - 2)' \
            "$tmpdir/c1.csv" | wc -l)" 0
    check_eq "the keys are the file's rec_ids, in file order" \
        "$(tail -n +2 "$tmpdir/c1.csv" | cut -d, -f2 | md5sum)" \
        "$(tail -n +2 "$FEBRL/dataset1.csv" | cut -d, -f1 | md5sum)"
    check_grep "stderr: records, rejects, clusters, seconds, the report" \
        'resolved: 1000 records \(0 rejected\), method exact: 1000 clusters; extract\+normalise [0-9.]+ s, resolve [0-9.]+ s' \
        cat "$tmpdir/resolve.err"
    check_grep "... and the resolver's report as JSON" '^report: \{"method":"exact"' \
        cat "$tmpdir/resolve.err"

    check "bench/febrl_truth.sh writes the truth" \
        sh -c "bench/febrl_truth.sh '$FEBRL/dataset1.csv' >'$tmpdir/truth1.csv'"
    # the matcher (the default) on the same file: the accuracy a user is promised
    check "resolve --layout febrl dataset1 with the matcher" \
        "$CRMERGE" resolve --layout febrl "$FEBRL/dataset1.csv" --clusters-out "$tmpdir/fs1.csv"
    for d in 1 2 3; do
        [ -f "$FEBRL/dataset$d.csv" ] || continue
        bench/febrl_truth.sh "$FEBRL/dataset$d.csv" >"$tmpdir/truth_fs$d.csv"
        "$CRMERGE" resolve --layout febrl "$FEBRL/dataset$d.csv" --clusters-out "$tmpdir/fs$d.csv" \
            2>/dev/null
        f1=$("$CRMERGE" eval --truth "$tmpdir/truth_fs$d.csv" --clusters "$tmpdir/fs$d.csv" --json |
             py 'import json,sys; print(json.load(sys.stdin)["f1"])')
        floor=$(case $d in 1) echo 0.998;; 2) echo 0.9995;; 3) echo 0.998;; esac)
        check_eq "Febrl dataset$d, no SSN, no labels: pairwise F1 $f1 at least $floor" \
            "$(py "print($f1 >= $floor)")" True
    done
    check_grep "eval in process reports blocking's pair completeness against the truth" \
        '^blocking [0-9]+ of 500 true pairs were candidates \(pair completeness (1\.000000|0\.99[0-9]+)\)' \
        "$CRMERGE" eval --truth "$tmpdir/truth_fs1.csv" --layout febrl "$FEBRL/dataset1.csv"
    check_eq "... source,source_key,person_id for 1000 records" \
        "$(head -1 "$tmpdir/truth1.csv") $(wc -l <"$tmpdir/truth1.csv") $(grep -c '^dataset1,rec-10-dup-0,10$' "$tmpdir/truth1.csv")" \
        "source,source_key,person_id 1001 1"
    check "eval --truth --clusters exits 0" \
        "$CRMERGE" eval --truth "$tmpdir/truth1.csv" --clusters "$tmpdir/c1.csv"
    cp "$tmpdir/last.out" "$tmpdir/eval.out"
    check_eq "eval: records, clusters == records, precision, recall, f1" \
        "$(grep -E '^(records|clusters|precision|recall|f1) ' "$tmpdir/eval.out" | tr '\n' '|')" \
        "records 1000|clusters 1000 (persons 500)|precision 1.000000|recall 0.000000|f1 0.000000|"
    check_eq "eval: 500 persons split, none mixed, nothing unmatched" \
        "$(grep -E '^(split_persons|mixed_clusters|unmatched_truth|unmatched_clusters) ' "$tmpdir/eval.out" | tr '\n' '|')" \
        "split_persons 500|mixed_clusters 0|unmatched_truth 0|unmatched_clusters 0|"
    check "eval --json" \
        "$CRMERGE" eval --truth "$tmpdir/truth1.csv" --clusters "$tmpdir/c1.csv" --json
    cp "$tmpdir/last.out" "$tmpdir/eval.json"
    check_eq "--json: one object with the documented keys" \
        "$(py 'import json,sys; o=json.load(open(sys.argv[1])); print(set(o) >= set(["records","clusters","persons","true_pairs","predicted_pairs","correct_pairs","precision","recall","f1","split_persons","mixed_clusters","worst","unmatched_truth","unmatched_clusters"]), o["records"], o["clusters"], o["true_pairs"], o["predicted_pairs"], o["f1"], o["worst"])' "$tmpdir/eval.json")" \
        "True 1000 1000 500 0 0.0 []"
    "$CRMERGE" eval --truth "$tmpdir/truth1.csv" --layout febrl "$FEBRL/dataset1.csv" --method exact --json \
        >"$tmpdir/inproc.json" 2>"$tmpdir/inproc.err"
    check_eq "eval --layout resolves in process: exit 0, the same measures as from the file" \
        "$? $(cat "$tmpdir/inproc.json")" "0 $(cat "$tmpdir/eval.json")"
    check_grep "... with the resolve summary on stderr" 'resolved: 1000 records' cat "$tmpdir/inproc.err"
else
    skip "Febrl dataset1" "$FEBRL/dataset1.csv is not here (the shared test data)"
fi

# ---- the linkage form: two files, each its own source ----------------------------------
check "resolve two files (default method: the matcher)" \
    "$CRMERGE" resolve --layout febrl "$FX/febrl_a.csv" "$FX/febrl_b.csv" --clusters-out "$tmpdir/ab.csv"
# emily/emilly carter, nguyen with "thi" missing on one side and a bad birth date, jack
# o'brien/obrien: each person one cluster, linked across the two files
check_eq "7 rows, the sources named after the files, in read order, linked across them" \
    "$(tail -n +2 "$tmpdir/ab.csv" | cut -d, -f1,3 | tr '\n' ' ')" \
    "febrl_a,0 febrl_a,1 febrl_a,0 febrl_a,3 febrl_b,3 febrl_b,1 febrl_b,1 "
bench/febrl_truth.sh "$FX/febrl_a.csv" "$FX/febrl_b.csv" >"$tmpdir/tab.csv"
check_grep "eval: 5 true pairs across the two files, all found" \
    '^pairs 5 true, 5 predicted, 5 correct$' \
    "$CRMERGE" eval --truth "$tmpdir/tab.csv" --clusters "$tmpdir/ab.csv"
check "the exact resolver on the same files" \
    "$CRMERGE" resolve --layout febrl "$FX/febrl_a.csv" "$FX/febrl_b.csv" --method exact \
    --clusters-out "$tmpdir/ab_exact.csv"
check_grep "... finds none of them (no e-mails)" '^pairs 5 true, 0 predicted, 0 correct$' \
    "$CRMERGE" eval --truth "$tmpdir/tab.csv" --clusters "$tmpdir/ab_exact.csv"
check_grep "-c CONFIG: a source's default_country is read (and a bad one refused)" \
    'resolved: 4 records' sh -c "printf '%s' '{ \"sources\": [ { \"name\": \"a\", \"connector\": \"csv\", \"layout\": \"febrl\", \"path\": \"$ROOT/$FX/febrl_a.csv\", \"default_country\": \"Australia\" } ] }' >'$tmpdir/a.json' && '$CRMERGE' resolve -c '$tmpdir/a.json' --clusters-out '$tmpdir/a.csv' 2>&1"
sed 's/"Australia"/"Neverland"/' "$tmpdir/a.json" >"$tmpdir/bad.json"
check_exit "... an unknown one is a config error (exit 3)" 3 \
    "$CRMERGE" resolve -c "$tmpdir/bad.json" --clusters-out "$tmpdir/a.csv"
check_last "... naming the source and the value" 'source a: default_country: unknown country "Neverland"'
check_grep "the layout's default_country: the Febrl profiles are Australian" '"country":"AU"' \
    "$CRMERGE" normalise --layout febrl "$FX/febrl_a.csv"

# a person joined wrongly, a record only in the truth, one only in the clusters
printf '%s\n' 'source,source_key,cluster_id' 'febrl_a,rec-7-org,0' 'febrl_a,rec-7-dup-0,0' \
    'febrl_a,rec-8-org,0' 'febrl_b,rec-8-dup-0,5' 'febrl_b,rec-9-dup-0,4' 'febrl_a,rec-9-org,4' \
    'febrl_c,rec-1-org,9' >"$tmpdir/wrong.csv"
"$CRMERGE" eval --truth "$tmpdir/tab.csv" --clusters "$tmpdir/wrong.csv" --worst 1 >"$tmpdir/w.out" 2>&1
check_eq "eval of a mixed cluster exits 0" "$?" 0
# measured: the 6 records in both; true pairs 7: 1, 8: 1 (rec-8-dup-1 is not clustered),
# 9: 1; predicted: cluster 0 3, cluster 4 1; correct: 0/7 1, 4/9 1
check_eq "precision 2/4, recall 2/3, f1 4/7; unmatched counted both ways, named" \
    "$(grep -E '^(pairs|precision|recall|f1|split_persons|mixed_clusters|unmatched_truth|unmatched_clusters)' "$tmpdir/w.out" | tr '\n' '|')" \
    "pairs 3 true, 4 predicted, 2 correct|precision 0.500000|recall 0.666667|f1 0.571429|split_persons 1|mixed_clusters 1|unmatched_truth 1 (not measured: febrl_b,rec-8-dup-1)|unmatched_clusters 1 (not measured: febrl_c,rec-1-org)|"
check_eq "the worst mixed cluster with its records" \
    "$(sed -n '/^  cluster/,$p' "$tmpdir/w.out" | tr '\n' '|')" \
    "  cluster 0: 3 records, 2 persons, 2 wrong pairs|    febrl_a,rec-7-org,7|    febrl_a,rec-7-dup-0,7|    febrl_a,rec-8-org,8|"

# keys that need quoting survive resolve -> eval
printf '%s\n' 'rec_id, given_name, surname, street_number, address_1, address_2, suburb, postcode, state, date_of_birth, soc_sec_id' \
    '"rec-1-org, a", ann, cole, 1, main street, , bondi, 2026, nsw, 19700101, 1' \
    '" rec-1-dup-0", ann, cole, 1, main street, , bondi, 2026, nsw, 19700101, 1' >"$tmpdir/q.csv"
check "resolve a key with a comma and one with a leading space" \
    "$CRMERGE" resolve --layout febrl "$tmpdir/q.csv" --clusters-out "$tmpdir/q_c.csv"
check_eq "... quoted in the clusters file (one person: one cluster)" \
    "$(tail -n +2 "$tmpdir/q_c.csv" | tr '\n' '|')" 'q,"rec-1-org, a",0|q," rec-1-dup-0",0|'
printf '%s\n' 'source,source_key,person_id' 'q,"rec-1-org, a",1' 'q," rec-1-dup-0",1' >"$tmpdir/q_t.csv"
check_grep "... and read back by eval: both measured" '^records 2$' \
    "$CRMERGE" eval --truth "$tmpdir/q_t.csv" --clusters "$tmpdir/q_c.csv"

# ---- usage and input errors --------------------------------------------------------------
check_exit "resolve without --clusters-out is a usage error" 2 \
    "$CRMERGE" resolve --layout febrl "$FX/febrl_a.csv"
check_last "... naming the option" 'missing --clusters-out FILE'
check_exit "an unknown --method is a usage error" 2 \
    "$CRMERGE" resolve --layout febrl "$FX/febrl_a.csv" --clusters-out "$tmpdir/x.csv" --method bogus
check_last "... naming it and the known ones" '--method: unknown method "bogus" \(known: fellegi_sunter, exact'
check_exit "a missing truth file is exit 3" 3 \
    "$CRMERGE" eval --truth "$tmpdir/nope.csv" --clusters "$tmpdir/ab.csv"
check_last "... naming the file" "--truth: $tmpdir/nope.csv: No such file or directory"
check_exit "eval without --truth is a usage error" 2 "$CRMERGE" eval --clusters "$tmpdir/ab.csv"
check_exit "eval with both --clusters and --layout is a usage error" 2 \
    "$CRMERGE" eval --truth "$tmpdir/tab.csv" --clusters "$tmpdir/ab.csv" --layout febrl "$FX/febrl_a.csv"
printf '%s\n' 'source,source_key,cluster_id' 'febrl_a,rec-7-org,0' 'febrl_a,rec-8-org' >"$tmpdir/ragged.csv"
check_exit "a ragged clusters row is exit 5" 5 \
    "$CRMERGE" eval --truth "$tmpdir/tab.csv" --clusters "$tmpdir/ragged.csv"
check_last "... naming file and line" "$tmpdir/ragged.csv:3: 2 fields, header has 3"
printf '%s\n' 'source,key,cluster_id' 'febrl_a,rec-7-org,0' >"$tmpdir/nokey.csv"
check_exit "a clusters file without source_key is exit 5" 5 \
    "$CRMERGE" eval --truth "$tmpdir/tab.csv" --clusters "$tmpdir/nokey.csv"
check_last "... saying which column is missing" 'must name the columns source, source_key and cluster_id \(no "source_key"\)'
