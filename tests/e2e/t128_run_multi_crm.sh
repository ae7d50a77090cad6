#!/usr/bin/env bash
# `crmerge run` publishes the matcher's clusters: on a small multi-CRM population
# (bench/gen_multi: ACT!, GoldMine and Siebel files, files.json) the customers in the view
# are exactly the clusters `crmerge resolve` gives on the same input, the summary names
# the matcher, match_evidence holds its weighed pairs, and against gen_multi's truth the
# matcher beats the exact resolver.
. "$(dirname "$0")/lib.sh"

# The matcher's pairwise F1 on this population must be at least this. Measured 0.93
# (2026-12-09, seed 1); the matcher's multi-CRM accuracy is being improved: raise the
# floor with it.
F1_FLOOR=0.85

GEN=$ROOT/build/bench/gen_multi
[ -x "$GEN" ] || { not_ok "gen_multi is built" "no $GEN (make tools)"; exit 1; }
d=$tmpdir/multi
check "gen_multi 300 persons" "$GEN" 300 "$d" --seed 1
CFG=$d/files.json
SCHEMA=$(jq -r '.target.schema' "$CFG")
check_eq "files.json reads the three file sources into its own schema" \
    "$(jq -r '[.sources[].name] | join(" ")' "$CFG") $SCHEMA" "act goldmine siebel crm_multi"

# ---- crmerge run with the default resolver ------------------------------------------------
check "crmerge run -c files.json" "$CRMERGE" run -c "$CFG"
cp "$tmpdir/last.out" "$tmpdir/run.out"
check_grep "the summary names the matcher, the pairs it matched and sent to review" \
    '^  resolve    fellegi_sunter: [1-9][0-9]* pairs matched, [0-9]+ for review$' cat "$tmpdir/run.out"
matched=$(sed -nE 's/^  resolve    fellegi_sunter: ([0-9]+) pairs matched.*/\1/p' "$tmpdir/run.out")

check "crmerge resolve -c files.json on the same input" \
    "$CRMERGE" resolve -c "$CFG" --clusters-out "$tmpdir/clusters.csv"
clusters=$(tail -n +2 "$tmpdir/clusters.csv" | awk -F, '{ print $NF }' | sort -u | wc -l)
check_eq "live customers in the view == the clusters resolve gives" \
    "$(psql_q "SELECT count(*) FROM $SCHEMA.customer WHERE retired_run IS NULL")" "$clusters"
# the same partition, not only the same count: every (customer, cluster) pairing is 1:1
psql_q "CREATE TABLE t128_clusters (source text, source_key text, cluster_id bigint)" >/dev/null
psql_q "\\copy t128_clusters FROM '$tmpdir/clusters.csv' WITH (FORMAT csv, HEADER true)" >/dev/null
check_eq "... and the same records in each (customer, cluster) one to one" \
    "$(psql_q "SELECT count(DISTINCT (x.customer_id, c.cluster_id)), count(*)
               FROM t128_clusters c JOIN $SCHEMA.crosswalk x USING (source, source_key)")" \
    "$clusters|$(tail -n +2 "$tmpdir/clusters.csv" | wc -l)"

# the summary counts the pairs the matcher accepted; those the clustering then kept apart
# (a weak link between stronger groups) are published for review instead
kept_apart=$(psql_q "SELECT summary->'resolve'->>'pairs_kept_apart' FROM $SCHEMA.run")
check_eq "match_evidence: a 'match' row per pair matched, less those kept apart ($kept_apart)" \
    "$(psql_q "SELECT count(*) FROM $SCHEMA.match_evidence WHERE decision = 'match'")" \
    "$((matched - ${kept_apart:-0}))"
check_eq "... the matcher's rows carry their weighed comparisons" \
    "$(psql_q "SELECT count(*) > 0, bool_and(jsonb_array_length(evidence) > 0)
               FROM $SCHEMA.match_evidence
               WHERE decision = 'match' AND rule IS NULL")" "t|t"
check_eq "... naming given_name among them" \
    "$(psql_q "SELECT count(*) > 0 FROM $SCHEMA.match_evidence
               WHERE decision = 'match' AND evidence @> '[{\"comparison\":\"given_name\"}]'")" "t"

# ---- a trained model named in the config (relative to it) -----------------------------------
check "crmerge train -c files.json" "$CRMERGE" train -c "$CFG" --model-out "$d/model.json"
jq '.match = { "model": "model.json" }' "$CFG" >"$d/files_model.json"
check "crmerge run with match.model, from another directory" \
    sh -c "cd / && '$CRMERGE' run -c '$d/files_model.json'"
check_eq "... the run loaded the model" \
    "$(psql_q "SELECT summary->'resolve'->'model'->>'loaded' FROM $SCHEMA.run ORDER BY run_id DESC LIMIT 1")" \
    "true"
check_eq "... and scored as training did: the same customers" \
    "$(psql_q "SELECT count(*) FROM $SCHEMA.customer WHERE retired_run IS NULL")" "$clusters"

# ---- accuracy against gen_multi's truth ------------------------------------------------
f1_of() { sed -nE 's/^f1 ([0-9.]+)$/\1/p' "$1"; }
check "eval --truth truth.csv -c files.json (the matcher)" \
    "$CRMERGE" eval --truth "$d/truth.csv" -c "$CFG"
cp "$tmpdir/last.out" "$tmpdir/eval_fs.out"
f1_fs=$(f1_of "$tmpdir/eval_fs.out")
check "eval --method exact on the same truth" \
    "$CRMERGE" eval --truth "$d/truth.csv" -c "$CFG" --method exact
f1_exact=$(f1_of "$tmpdir/last.out")
check_eq "the matcher's f1 ($f1_fs) is at least $F1_FLOOR" \
    "$(awk -v f="$f1_fs" -v m="$F1_FLOOR" 'BEGIN { print (f != "" && f >= m) ? "yes" : "no" }')" yes
check_eq "the exact resolver's f1 ($f1_exact) is below the matcher's" \
    "$(awk -v e="$f1_exact" -v f="$f1_fs" 'BEGIN { print (e != "" && e < f) ? "yes" : "no" }')" yes
