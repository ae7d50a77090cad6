#!/usr/bin/env bash
# `crmerge explain` says why two records are (not) one customer: the two records side by
# side, then the resolver's waterfall (levels, weights, total, decision, blocking,
# clusters). `crmerge train` writes the matcher's trained weights to a model file that
# `--model FILE` or "match": {"model": FILE} (relative to the config) loads; a loaded
# model scores the data it was trained on as training does.
. "$(dirname "$0")/lib.sh"

FX=tests/fixtures/febrl
FEBRL=$ROOT/../shared/data/febrl
AB=("$FX/febrl_a.csv" "$FX/febrl_b.csv")
py() { python3 -c "$@"; }

# ---- explain: a pair that merges ----------------------------------------------------------
check "explain rec-7-org and rec-7-dup-0 (emily / emilly carter)" \
    "$CRMERGE" explain --layout febrl "${AB[@]}" febrl_a:rec-7-org febrl_a:rec-7-dup-0
cp "$tmpdir/last.out" "$tmpdir/merge.out"
check_grep "the two records, each with where it was read" \
    '^record a: febrl_a:rec-7-org  at tests/fixtures/febrl/febrl_a.csv:2$' cat "$tmpdir/merge.out"
check_grep "... record b too" '^record b: febrl_a:rec-7-dup-0  at tests/fixtures/febrl/febrl_a.csv:4$' \
    cat "$tmpdir/merge.out"
check_grep "side by side: the normalised given names" '^given_name +emily +emilly$' cat "$tmpdir/merge.out"
check_grep "... family names, street (wattle st read as wattle street), birth dates" \
    '^street +wattle street +wattle street$' cat "$tmpdir/merge.out"
check_grep "... a value only one side has shown as -" '^address_extra +rosedale +-$' cat "$tmpdir/merge.out"
check_grep "the waterfall names given_name with its level and the running total" \
    '^given_name +jaro_winkler>=0\.92 +\+[0-9.]+ += \+[0-9.]+$' cat "$tmpdir/merge.out"
check_grep "... family_name" '^family_name +exact +\+[0-9.]+' cat "$tmpdir/merge.out"
check_grep "... a total and its probability" '^total +\+[0-9.]+ +probability 1\.0+$' cat "$tmpdir/merge.out"
check_grep "... decision: match" '^decision: match \(match at >= 0\.8' cat "$tmpdir/merge.out"
check_grep "... the blocking passes that met" '^blocking: met in .*street\+house_number\+postal_code' \
    cat "$tmpdir/merge.out"
check_grep "... clusters: same customer" '^clusters: same customer \(0 and 0\)$' cat "$tmpdir/merge.out"

# ---- explain: a pair that does not ----------------------------------------------------------
check "explain emily carter against jack obrien" \
    "$CRMERGE" explain --layout febrl "${AB[@]}" febrl_a:rec-7-org febrl_b:rec-9-dup-0
cp "$tmpdir/last.out" "$tmpdir/apart.out"
check_grep "a non-match says so" '^decision: non-match' cat "$tmpdir/apart.out"
check_grep "... in different clusters" '^clusters: different customers' cat "$tmpdir/apart.out"
check_grep "... no equality pass brings them together" '^blocking: no equality pass' cat "$tmpdir/apart.out"

# -c CONFIG, a key holding ':' (split at the first one), --method exact
printf '%s\n' 'rec_id, given_name, surname, street_number, address_1, address_2, suburb, postcode, state, date_of_birth, soc_sec_id' \
    'rec-1:a, ann, cole, 1, main street, , bondi, 2026, nsw, 19700101, 1' \
    'rec-1:b, anne, cole, 1, main street, , bondi, 2026, nsw, 19700101, 1' >"$tmpdir/colon.csv"
cat >"$tmpdir/colon.json" <<'JSON'
{ "sources": [ { "name": "people", "connector": "csv", "layout": "febrl", "path": "colon.csv" } ] }
JSON
check_grep "-c CONFIG and keys with a ':' of their own" '^record b: people:rec-1:b  at .*colon\.csv:3$' \
    "$CRMERGE" explain -c "$tmpdir/colon.json" people:rec-1:a people:rec-1:b
check_grep "--method exact: no weights, whether they are one cluster" \
    '^the exact resolver joins records by shared e-mail or source key; no weights$' \
    "$CRMERGE" explain --layout febrl "${AB[@]}" --method exact febrl_a:rec-7-org febrl_a:rec-7-dup-0
check_last "... (no shared e-mail: two customers)" '^clusters: different customers \(0 and 2\)$'

# ---- explain: errors -------------------------------------------------------------------------
check_exit "an unknown key is exit 3" 3 \
    "$CRMERGE" explain --layout febrl "${AB[@]}" febrl_a:rec-7-org febrl_a:rec-99-org
check_last "... naming the key and the sources there are" \
    'febrl_a:rec-99-org: source febrl_a has no record with key "rec-99-org" \(sources: febrl_a, febrl_b\)'
check_exit "an unknown source is exit 3" 3 \
    "$CRMERGE" explain --layout febrl "${AB[@]}" act:rec-7-org febrl_a:rec-7-org
check_last "... naming it and the sources there are" 'act:rec-7-org: no source called act \(sources: febrl_a, febrl_b\)'
check_exit "an argument without ':' is a usage error" 2 \
    "$CRMERGE" explain --layout febrl "${AB[@]}" febrl_a:rec-7-org rec-7-dup-0
check_last "... saying what a record looks like" "'rec-7-dup-0': name a record as SOURCE:KEY"
check_exit "one record only is a usage error" 2 "$CRMERGE" explain -c "$tmpdir/colon.json" people:rec-1:a
check_exit "the same record twice is a usage error" 2 \
    "$CRMERGE" explain -c "$tmpdir/colon.json" people:rec-1:a people:rec-1:a
check_exit "an option of another command is a usage error" 2 \
    "$CRMERGE" explain -c "$tmpdir/colon.json" --truth x.csv people:rec-1:a people:rec-1:b

# ---- train ------------------------------------------------------------------------------------
check_exit "train without --model-out is a usage error" 2 "$CRMERGE" train --layout febrl "${AB[@]}"
check_exit "train --method exact is a usage error (no model)" 2 \
    "$CRMERGE" train --layout febrl "${AB[@]}" --method exact --model-out "$tmpdir/exact.json"
check_last "... saying so" 'the exact resolver has no model to train'
check_exit "resolve --model with the exact resolver is a usage error" 2 \
    "$CRMERGE" resolve --layout febrl "${AB[@]}" --method exact --model "$tmpdir/exact.json" \
    --clusters-out "$tmpdir/x.csv"

if [ -f "$FEBRL/dataset1.csv" ]; then
    D1=$FEBRL/dataset1.csv
    check "train on Febrl dataset1" "$CRMERGE" train --layout febrl "$D1" --model-out "$tmpdir/model.json"
    check_last "... the summary: records, candidate pairs, prior match rate, EM iterations" \
        '^trained: 1000 records, [1-9][0-9]* candidate pairs, prior match rate 0\.[0-9]+, [1-9][0-9]* EM iterations; model written to '
    check_eq "... renamed into place (no temp file left)" "$(ls "$tmpdir"/model.json*)" "$tmpdir/model.json"
    check_eq "the model file: pretty JSON with the documented keys" \
        "$(py 'import json,sys; t=open(sys.argv[1]).read(); o=json.loads(t); print(t.startswith("{\n  \""), o["model"], o["version"], 0 < o["prior_match_rate"] < 1, set(o["comparisons"]) >= {"given_name","family_name","birth_date","postal_code","email"}, set(o["comparisons"]["given_name"]["exact"]) == {"m","u","weight"}, o["trained_on"]["records"])' "$tmpdir/model.json")" \
        "True crmerge fellegi_sunter 1 True True True 1000"

    check "resolve dataset1 (training on the input)" \
        "$CRMERGE" resolve --layout febrl "$D1" --clusters-out "$tmpdir/trained.csv"
    check "resolve dataset1 --model" \
        "$CRMERGE" resolve --layout febrl "$D1" --model "$tmpdir/model.json" --clusters-out "$tmpdir/loaded.csv"
    check_last "... the report says the model was loaded" '"loaded":true'
    check "... gives the same clusters" cmp "$tmpdir/trained.csv" "$tmpdir/loaded.csv"

    # "match": {"model": "..."}: relative to the config file, whatever the working directory
    mkdir -p "$tmpdir/cfg"
    cp "$tmpdir/model.json" "$tmpdir/cfg/weights.json"
    cat >"$tmpdir/cfg/d1.json" <<JSON
{ "sources": [ { "name": "dataset1", "connector": "csv", "layout": "febrl", "path": "$D1" } ],
  "match": { "model": "weights.json" } }
JSON
    check "-c CONFIG with match.model relative to the config" \
        sh -c "cd / && '$CRMERGE' resolve -c '$tmpdir/cfg/d1.json' --clusters-out '$tmpdir/cfg.csv'"
    check_last "... loads it" '"loaded":true'
    check "... the same clusters again" cmp "$tmpdir/trained.csv" "$tmpdir/cfg.csv"
    check "train -c CONFIG trains anew (the model it names is not loaded)" \
        "$CRMERGE" train -c "$tmpdir/cfg/d1.json" --model-out "$tmpdir/again.json"
    check "... and writes the same model" cmp "$tmpdir/model.json" "$tmpdir/again.json"
    check_grep "explain --model: the loaded weights" '^decision: match' \
        "$CRMERGE" explain --layout febrl "$D1" --model "$tmpdir/model.json" dataset1:rec-10-org dataset1:rec-10-dup-0

    head -c 400 "$tmpdir/model.json" >"$tmpdir/cfg/weights.json"
    check_exit "a corrupted model file is a config error (exit 3)" 3 \
        "$CRMERGE" resolve -c "$tmpdir/cfg/d1.json" --clusters-out "$tmpdir/x.csv"
    check_last "... naming the file" "match.model: $tmpdir/cfg/weights.json: "
    echo '{ "version": 1, "prior_match_rate": 0.1 }' >"$tmpdir/partial.json"
    check_exit "a model file without its comparisons is exit 3" 3 \
        "$CRMERGE" resolve --layout febrl "$D1" --model "$tmpdir/partial.json" --clusters-out "$tmpdir/x.csv"
    check_last "... naming the file and what is missing" "$tmpdir/partial.json: comparisons\.given_name\.exact: missing"
    check_exit "a --model file that is not there is exit 3" 3 \
        "$CRMERGE" resolve --layout febrl "$D1" --model "$tmpdir/nope.json" --clusters-out "$tmpdir/x.csv"
    check_last "... naming it" "--model: $tmpdir/nope.json: "
else
    skip "train on Febrl dataset1" "$FEBRL/dataset1.csv is not here (the shared test data)"
fi
