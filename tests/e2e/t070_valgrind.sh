#!/usr/bin/env bash
# The real binary under valgrind on the e2e paths: a first run, a rerun, a rejected
# run, extract and check. No invalid access, no leak.
. "$(dirname "$0")/lib.sh"

if ! command -v valgrind >/dev/null; then
    skip "crmerge under valgrind" "valgrind is not installed (./run.sh deps installs it)"
    exit 0
fi
vg() {
    valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect \
             --errors-for-leak-kinds=definite,indirect "$CRMERGE" "$@"
}
check "run (first publish) is valgrind-clean" vg run -c examples/pipeline.json
check "run (nothing changed) is valgrind-clean" vg run -c examples/pipeline.json
sed 's/"reject_rate_max": 0.1/"reject_rate_max": 0.0/' examples/pipeline.json >"$tmpdir/strict.json"
sed -i "s|exports/|$ROOT/examples/exports/|" "$tmpdir/strict.json"
check_exit "a rejected run is valgrind-clean (exit 4, no error 99)" 4 vg run -c "$tmpdir/strict.json"
check "extract is valgrind-clean" vg extract -c examples/pipeline.json
check "check is valgrind-clean" vg check -c examples/pipeline.json
check "normalise (every normaliser, libphonenumber through its C++ shim) is valgrind-clean" \
    vg normalise -c examples/legacy.json

# resolve and eval: the store, the resolver, the clusters file, the truth, the measures
FX=tests/fixtures/febrl
check "resolve is valgrind-clean" \
    vg resolve --layout febrl "$FX/febrl_a.csv" "$FX/febrl_b.csv" --clusters-out "$tmpdir/clusters.csv"
bench/febrl_truth.sh "$FX/febrl_a.csv" "$FX/febrl_b.csv" >"$tmpdir/truth.csv"
check "eval --clusters --json is valgrind-clean" \
    vg eval --truth "$tmpdir/truth.csv" --clusters "$tmpdir/clusters.csv" --json
printf '%s\n' source,source_key,cluster_id febrl_a,rec-7-org,0 febrl_a,rec-8-org,0 \
    febrl_c,rec-1-org,1 >"$tmpdir/mixed.csv"
check "eval of a mixed cluster (worst clusters, unmatched records) is valgrind-clean" \
    vg eval --truth "$tmpdir/truth.csv" --clusters "$tmpdir/mixed.csv"
check "eval --layout (resolve in process) is valgrind-clean" \
    vg eval --truth "$tmpdir/truth.csv" --layout febrl "$FX/febrl_a.csv" "$FX/febrl_b.csv"
# explain and train: the waterfall, the exact resolver's account, an unknown key, the
# model file written and loaded back
check "explain is valgrind-clean" \
    vg explain --layout febrl "$FX/febrl_a.csv" "$FX/febrl_b.csv" febrl_a:rec-7-org febrl_a:rec-7-dup-0
check "explain --method exact is valgrind-clean" \
    vg explain --layout febrl "$FX/febrl_a.csv" "$FX/febrl_b.csv" --method exact \
    febrl_a:rec-7-org febrl_b:rec-9-dup-0
check_exit "explain of an unknown key is valgrind-clean (exit 3, no error 99)" 3 \
    vg explain --layout febrl "$FX/febrl_a.csv" "$FX/febrl_b.csv" febrl_a:rec-7-org febrl_a:nope
check "train is valgrind-clean" \
    vg train --layout febrl "$FX/febrl_a.csv" "$FX/febrl_b.csv" --model-out "$tmpdir/model.json"
check "resolve --model is valgrind-clean" \
    vg resolve --layout febrl "$FX/febrl_a.csv" "$FX/febrl_b.csv" --model "$tmpdir/model.json" \
    --clusters-out "$tmpdir/clusters_model.csv"
head -c 200 "$tmpdir/model.json" >"$tmpdir/broken_model.json"
check_exit "a corrupted --model is valgrind-clean (exit 3, no error 99)" 3 \
    vg eval --truth "$tmpdir/truth.csv" --layout febrl "$FX/febrl_a.csv" "$FX/febrl_b.csv" \
    --model "$tmpdir/broken_model.json"
printf '%s\n' source,source_key,cluster_id febrl_a,rec-7-org >"$tmpdir/ragged.csv"
check_exit "eval of a bad clusters file is valgrind-clean (exit 5, no error 99)" 5 \
    vg eval --truth "$tmpdir/truth.csv" --clusters "$tmpdir/ragged.csv"

# a web-API source: a whole read, an incremental one (records carried forward from the
# target on a second session, a deleted one), and one that breaks off under allow_partial
. "$ROOT/tests/http/lib.sh"
cp "$ROOT/tests/fixtures/http/contacts.json" "$tmpdir/contacts.json"
cat >"$tmpdir/api.scenario.json" <<'JSON'
{ "routes": [ { "crm": "hubspot", "dataset": "contacts.json", "token": "vg-token" } ] }
JSON
cat >"$tmpdir/broken.scenario.json" <<'JSON'
{ "routes": [ { "crm": "hubspot", "dataset": "contacts.json", "token": "vg-token",
                "fault_page": 2, "fault": "not_json" } ] }
JSON
api_config() {
    cat >"$tmpdir/api.json" <<JSON
{ "target": { "schema": "vg_api" }, "reject_rate_max": 1,
  "sources": [ { "name": "hubspot", "connector": "http", "preset": "hubspot", "page_size": 4,
                 "base_url": "$HTTP_BASE", "token_env": "VG_TOKEN", "allow_partial": true } ] }
JSON
}
export VG_TOKEN=vg-token
http_start "$tmpdir/api.scenario.json" || exit 1
api_config
check "an http source, whole read, is valgrind-clean" vg run -c "$tmpdir/api.json"
check "an http source, incremental read, is valgrind-clean" vg run -c "$tmpdir/api.json"
http_start "$tmpdir/broken.scenario.json" || exit 1
api_config
check_grep "an http source that breaks off (allow_partial) is valgrind-clean" PARTIAL \
    vg run -c "$tmpdir/api.json" --full
