#!/usr/bin/env bash
# bench/run.sh — `make bench`: the walking skeleton's figures (README "Benchmarks").
#
#   1. extract+map: `crmerge extract --layout act` on gen_act exports of each size,
#      rows/s and peak RSS (median of BENCH_RUNS runs).
#   2. publish: `crmerge run` into a fresh database of a private PostgreSQL (default
#      durable settings), then a rerun on the same input; against it, in the same
#      session, `psql \copy` of the same canonical rows (exported from source_record)
#      into a table shaped like source_record (its columns and primary key).
#   3. the other readers: `crmerge extract` of a gen_siebel SiebelMessage export, of
#      a gen_goldmine table set (the CONTACT1 + CONTACT2 + CONTSUPP join), of a gen_vcard
#      .vcf and of a 40-field ACT!-style dBase table (tests/fixtures/dbf) of each size,
#      contacts/s and peak RSS (median of BENCH_RUNS runs). BENCH_ONLY=readers runs
#      only this part.
#   4. the web-API connector (BENCH_ONLY=api): `crmerge extract` of 200 pages of 100
#      HubSpot-shaped contacts from the loopback server (tests/http/server.py), contacts/s
#      and the share of the time spent waiting on the server (the connector's own count)
#      versus reading; the rest, records / (wall - waiting), is the parsing rate. Baseline
#      in the same session: one curl process fetching the same 200 pages (the server's
#      own speed, nothing parsed).
#   5. the normaliser (BENCH_ONLY=normalise): bench_normalise on the gen_act exports:
#      records/s of normalise alone (extract time taken off, measured in the same
#      process), phone cache cold and warm, without phones, phone parsing alone, and the
#      bytes of match profile per record (struct + string pool).
#   7. the matcher at scale (BENCH_ONLY=match_scale, not part of a plain `make bench`):
#      resolve at ~100k, 1M and 2M multi-CRM records, against `crmerge extract` of the
#      same files.
#   6. the matcher (BENCH_ONLY=match): `crmerge resolve` with each resolver (exact,
#      fellegi_sunter) on the Febrl data sets 1-3 (read in place from ../shared/data/febrl,
#      layout febrl, truth from their rec_ids by bench/febrl_truth.sh) and on a gen_multi
#      population of BENCH_MATCH_PERSONS (100000) persons (its three file sources), scored
#      by `crmerge eval` against the truth: pairwise precision, recall, F1, seconds (median
#      of BENCH_RUNS) and peak RSS. Needs `crmerge resolve` and `crmerge eval`; without them
#      it says so and fails (a whole `make bench` skips it with that message).
#
# BENCH_SIZES (default "100000 1000000"), BENCH_RUNS (default 3), BENCH_PORT (55990).
# Files and results go to bench/out/ (results.md); the server lives in bench/out/pg
# and is stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out
mkdir -p "$out"
chmod 755 "$out"
sizes=${BENCH_SIZES:-"100000 1000000"}
runs=${BENCH_RUNS:-3}

calc() { awk "BEGIN { print $* }"; }
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

[ -x ./crmerge ] && [ -x build/bench/gen_act ] || make -j2 all tools >/dev/null

# bench_extract LABEL LAYOUT INPUT N: median wall, cpu and peak RSS of `crmerge extract`
bench_extract() {
    local label=$1 layout=$2 input=$3 n=$4 t="$out/extract_$1_$4.times"
    : >"$t"
    for _ in $(seq "$runs"); do
        /usr/bin/time -f '%e %U %M' -a -o "$t" \
            ./crmerge extract --layout "$layout" "$input" >/dev/null 2>"$out/extract_$1_$4.err"
    done
    local wall cpu rss
    wall=$(awk '{print $1}' "$t" | median)
    cpu=$(awk '{print $2}' "$t" | median)
    rss=$(awk '{print $3}' "$t" | median)
    printf '  %-9s %8d contacts: %6.2f s wall, %6.2f s cpu, %8.0f contacts/s, peak RSS %6.1f MB\n' \
        "$label" "$n" "$wall" "$cpu" "$(calc "$n / $wall")" "$(calc "$rss / 1024")"
    printf '| %s | %d | %.2f s | %.0f | %.1f MB |\n' "$label" "$n" "$wall" \
        "$(calc "$n / $wall")" "$(calc "$rss / 1024")" >>"$out/readers.md"
}

if [ -z "${BENCH_ONLY:-}" ]; then
for n in $sizes; do
    [ -s "$out/act_$n.csv" ] || build/bench/gen_act "$n" 42 >"$out/act_$n.csv" 2>/dev/null
done

echo "== extract+map (crmerge extract --layout act, Windows-1252 ACT! export, $runs runs, median)"
declare -A ex_wall ex_user ex_rss
for n in $sizes; do
    : >"$out/extract_$n.times"
    for _ in $(seq "$runs"); do
        /usr/bin/time -f '%e %U %M' -a -o "$out/extract_$n.times" \
            ./crmerge extract --layout act "$out/act_$n.csv" >/dev/null 2>"$out/extract_$n.err"
    done
    ex_wall[$n]=$(awk '{print $1}' "$out/extract_$n.times" | median)
    ex_user[$n]=$(awk '{print $2}' "$out/extract_$n.times" | median)
    ex_rss[$n]=$(awk '{print $3}' "$out/extract_$n.times" | median)
    printf '  %8d rows: %6.2f s wall, %6.2f s cpu, %8.0f rows/s, peak RSS %6.1f MB\n' "$n" \
        "${ex_wall[$n]}" "${ex_user[$n]}" "$(calc "$n / ${ex_wall[$n]}")" \
        "$(calc "${ex_rss[$n]} / 1024")"
done

echo "== publish (crmerge run into a fresh database) vs psql \\copy of the same rows"
. tests/pg.sh
pg_start "$PWD/$out/pg" "${BENCH_PORT:-55990}" >"$out/pg_start.log" 2>&1
trap 'pg_stop "$PWD/$out/pg" >/dev/null 2>&1' EXIT
declare -A run_wall run_rss stage_s publish_s rerun_wall copy_s
for n in $sizes; do
    printf '{ "sources": [ { "name": "act", "connector": "csv", "layout": "act", "path": "act_%s.csv" } ] }\n' \
        "$n" >"$out/pipeline_$n.json"
    : >"$out/run_$n.times"; : >"$out/rerun_$n.times"; : >"$out/copy_$n.times"; : >"$out/phases_$n"
    for r in $(seq "$runs"); do
        pg_dropdb bench_run >/dev/null 2>&1; pg_createdb bench_run
        PGDATABASE=bench_run /usr/bin/time -f '%e %M' -a -o "$out/run_$n.times" \
            ./crmerge run -c "$out/pipeline_$n.json" >"$out/run_$n.out"
        PGDATABASE=bench_run psql_q "SELECT summary->'timings_s'->>'extract', summary->'timings_s'->>'publish'
                                     FROM crm.run ORDER BY run_id DESC LIMIT 1" | tr '|' ' ' >>"$out/phases_$n"
        PGDATABASE=bench_run /usr/bin/time -f '%e %M' -a -o "$out/rerun_$n.times" \
            ./crmerge run -c "$out/pipeline_$n.json" >"$out/rerun_$n.out"
        if [ "$r" = 1 ]; then
            PGDATABASE=bench_run psql -XAtq -c "\\copy (SELECT source, source_key, key_derived,
                content_hash, canonical, location, first_seen_run, last_seen_run, changed_run,
                deleted_run FROM crm.source_record) TO '$out/rows_$n.tsv'"
        fi
        pg_dropdb bench_copy >/dev/null 2>&1; pg_createdb bench_copy
        PGDATABASE=bench_copy psql_q "CREATE TABLE source_record (source text NOT NULL,
            source_key text NOT NULL, key_derived boolean NOT NULL, content_hash text NOT NULL,
            canonical jsonb NOT NULL, location text, first_seen_run bigint NOT NULL,
            last_seen_run bigint NOT NULL, changed_run bigint NOT NULL, deleted_run bigint,
            PRIMARY KEY (source, source_key))" >/dev/null
        PGDATABASE=bench_copy /usr/bin/time -f '%e' -a -o "$out/copy_$n.times" \
            psql -XAtq -c "\\copy source_record FROM '$out/rows_$n.tsv'"
    done
    run_wall[$n]=$(awk '{print $1}' "$out/run_$n.times" | median)
    run_rss[$n]=$(awk '{print $2}' "$out/run_$n.times" | median)
    rerun_wall[$n]=$(awk '{print $1}' "$out/rerun_$n.times" | median)
    stage_s[$n]=$(awk '{print $1}' "$out/phases_$n" | median)
    publish_s[$n]=$(awk '{print $2}' "$out/phases_$n" | median)
    copy_s[$n]=$(median <"$out/copy_$n.times")
    load=$(calc "${run_wall[$n]} - ${ex_wall[$n]}")
    printf '  %8d rows: run %6.2f s (extract+stage %.2f s, resolve+publish %.2f s), peak RSS %.1f MB; rerun %6.2f s\n' \
        "$n" "${run_wall[$n]}" "${stage_s[$n]}" "${publish_s[$n]}" \
        "$(calc "${run_rss[$n]} / 1024")" "${rerun_wall[$n]}"
    printf '            psql \\copy %6.2f s = %8.0f rows/s; crmerge database side (run - extract) %6.2f s = %8.0f rows/s: %.2fx\n' \
        "${copy_s[$n]}" "$(calc "$n / ${copy_s[$n]}")" "$load" \
        "$(calc "$n / $load")" "$(calc "${copy_s[$n]} / $load")"
done

{
    echo "| rows | extract+map rows/s | extract peak RSS | run wall | run peak RSS | rerun wall | psql \\copy | crmerge DB side vs \\copy |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
    for n in $sizes; do
        load=$(calc "${run_wall[$n]} - ${ex_wall[$n]}")
        printf '| %d | %.0f | %.1f MB | %.1f s | %.0f MB | %.1f s | %.1f s | %.2fx |\n' "$n" \
            "$(calc "$n / ${ex_wall[$n]}")" "$(calc "${ex_rss[$n]} / 1024")" \
            "${run_wall[$n]}" "$(calc "${run_rss[$n]} / 1024")" "${rerun_wall[$n]}" \
            "${copy_s[$n]}" "$(calc "${copy_s[$n]} / $load")"
    done
} | tee "$out/results.md"
fi

if [ -z "${BENCH_ONLY:-}" ] || [ "$BENCH_ONLY" = readers ]; then
echo "== other readers (crmerge extract; Siebel EAI XML, GoldMine three-table join, vCard, dBase; $runs runs, median)"
{ echo "| reader | contacts | wall | contacts/s | peak RSS |"; echo "|---|---:|---:|---:|---:|"; } >"$out/readers.md"
for n in $sizes; do          # the baseline, in the same session: the ACT! CSV reader
    [ -s "$out/act_$n.csv" ] || build/bench/gen_act "$n" 42 >"$out/act_$n.csv" 2>/dev/null
    bench_extract act_csv act "$out/act_$n.csv" "$n"
done
for n in $sizes; do
    [ -s "$out/siebel_$n.xml" ] || build/bench/gen_siebel "$n" 42 >"$out/siebel_$n.xml"
    bench_extract siebel_xml siebel_xml "$out/siebel_$n.xml" "$n"
done
for n in $sizes; do
    [ -s "$out/gm_$n/CONTSUPP.csv" ] || { mkdir -p "$out/gm_$n" && build/bench/gen_goldmine "$n" 42 "$out/gm_$n"; }
    bench_extract goldmine goldmine "$out/gm_$n" "$n"
done
for n in $sizes; do
    [ -s "$out/vcard_$n.vcf" ] || build/bench/gen_vcard "$n" 42 >"$out/vcard_$n.vcf"
    bench_extract vcard vcard "$out/vcard_$n.vcf" "$n"
done
for n in $sizes; do
    [ -s "$out/act_$n.dbf" ] || python3 tests/fixtures/dbf/make_fixtures.py --bench "$n" "$out/act_$n.dbf"
    bench_extract act_dbf act_dbf "$out/act_$n.dbf" "$n"
done
cat "$out/readers.md"
fi

if [ -z "${BENCH_ONLY:-}" ] || [ "$BENCH_ONLY" = api ]; then
echo "== web API (crmerge extract of 200 pages x 100 HubSpot contacts from the loopback server; $runs runs, median)"
pages=200 per=100
python3 - "$out/api_contacts.json" $((pages * per)) <<'PY'
import json, sys, datetime
t0 = datetime.datetime(2024, 5, 1, tzinfo=datetime.timezone.utc)
json.dump([{"id": str(100000 + i), "first": "Ann%d" % i, "last": "Cole%d" % i,
            "email": "ann%d@cole.example" % i, "phone": "+49 30 %07d" % i,
            "company": "Cole %d GmbH" % (i % 97),
            "updated": (t0 + datetime.timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "deleted": False} for i in range(int(sys.argv[2]))], open(sys.argv[1], "w"))
PY
echo '{ "routes": [ { "crm": "hubspot", "dataset": "api_contacts.json" } ] }' >"$out/api_scenario.json"
# shellcheck source=../tests/http/lib.sh
. tests/http/lib.sh
http_start "$out/api_scenario.json" --max-requests 100000 --idle-exit 300 || exit 1
cat >"$out/api.json" <<JSON
{ "sources": [ { "name": "hubspot", "connector": "http", "preset": "hubspot",
                 "base_url": "$HTTP_BASE", "auth": "none", "page_size": $per } ] }
JSON
urls=()
for p in $(seq 0 $((pages - 1))); do
    urls+=(-o /dev/null "$HTTP_BASE/crm/v3/objects/contacts?limit=$per&after=$((p * per))")
done
: >"$out/api.times"
: >"$out/api_curl.times"
for _ in $(seq "$runs"); do
    /usr/bin/time -f '%e' -a -o "$out/api_curl.times" curl -sf "${urls[@]}"
    /usr/bin/time -f '%e %U %M' -a -o "$out/api.times" \
        ./crmerge extract -c "$out/api.json" >"$out/api.jsonl" 2>"$out/api.err"
    grep -o '[0-9.]* s waiting' "$out/api.err" | awk '{print $1}' >>"$out/api.waiting"
done
http_stop || true
n=$(wc -l <"$out/api.jsonl")
wall=$(awk '{print $1}' "$out/api.times" | median)
cpu=$(awk '{print $2}' "$out/api.times" | median)
rss=$(awk '{print $3}' "$out/api.times" | median)
wait_s=$(tail -n "$runs" "$out/api.waiting" | median)
curl_s=$(median <"$out/api_curl.times")
{
    printf '| contacts | wall | contacts/s | waiting on the server | not waiting (wall - waiting) | contacts / not waiting | user cpu | contacts / user cpu | peak RSS | curl, same pages | crmerge / curl |\n'
    printf '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n'
    printf '| %d | %.2f s | %.0f | %.2f s (%.0f%%) | %.2f s | %.0f/s | %.2f s | %.0f/s | %.1f MB | %.2f s | %.2fx |\n' \
        "$n" "$wall" "$(calc "$n / $wall")" "$wait_s" "$(calc "100 * $wait_s / $wall")" \
        "$(calc "$wall - $wait_s")" "$(calc "$n / ($wall - $wait_s)")" "$cpu" \
        "$(calc "$n / $cpu")" "$(calc "$rss / 1024")" "$curl_s" "$(calc "$wall / $curl_s")"
} | tee "$out/api.md"
fi

if [ -z "${BENCH_ONLY:-}" ] || [ "$BENCH_ONLY" = normalise ]; then
echo "== normalise (bench_normalise on gen_act exports; extract time taken off; $runs runs, median)"
{
    echo "| records | normalise, phone cache cold | warm | without phones | phone parsing cold | warm | bytes per profile (struct + pool) |"
    echo "|---:|---:|---:|---:|---:|---:|---:|"
} >"$out/normalise.md"
for n in $sizes; do
    [ -s "$out/act_$n.csv" ] || build/bench/gen_act "$n" 42 >"$out/act_$n.csv" 2>/dev/null
    : >"$out/normalise_$n.txt"
    for _ in $(seq "$runs"); do
        build/bench/bench_normalise act "$out/act_$n.csv" | tr ' ' '\n' >>"$out/normalise_$n.txt"
    done
    fig() { grep "^$1=" "$out/normalise_$n.txt" | cut -d= -f2 | median; }
    printf '| %d | %.0f/s | %.0f/s | %.0f/s | %.0f/s | %.0f/s | %.1f B (%d + %.1f) |\n' "$n" \
        "$(fig normalise_cold_per_s)" "$(fig normalise_warm_per_s)" "$(fig normalise_nophone_per_s)" \
        "$(fig phone_cold_per_s)" "$(fig phone_warm_per_s)" "$(fig bytes_per_profile)" \
        "$(fig profile_struct_bytes)" "$(calc "$(fig pool_bytes) / $n")" >>"$out/normalise.md"
done
cat "$out/normalise.md"
fi

if [ -z "${BENCH_ONLY:-}" ] || [ "$BENCH_ONLY" = match ]; then
echo "== matcher (crmerge resolve, exact and fellegi_sunter, scored by crmerge eval; $runs runs, median)"
match_missing=
for cmd in resolve eval; do
    ./crmerge "$cmd" --help >/dev/null 2>&1 || match_missing="$match_missing crmerge $cmd,"
done
if [ -n "$match_missing" ]; then
    echo "  cannot run: this build has no${match_missing%,} (the matcher benchmark needs" \
         "'crmerge resolve ... --clusters-out OUT.csv' and 'crmerge eval --truth T --clusters C')" >&2
    [ "${BENCH_ONLY:-}" = match ] && exit 1
else
    [ -x build/bench/gen_multi ] || make -j2 build/bench/gen_multi >/dev/null
    febrl=${FEBRL_DIR:-../shared/data/febrl}    # the public Febrl data sets, where they are
    persons=${BENCH_MATCH_PERSONS:-100000}
    { echo "| data set | records | resolver | precision | recall | F1 | seconds (median) | peak RSS |"
      echo "|---|---:|---|---:|---:|---:|---:|---:|"; } >"$out/match.md"

    # match_row LABEL TRUTH METHOD CMD...: CMD writes the clusters to $out/match_LABEL_METHOD.csv
    match_row() {
        local label=$1 truth=$2 method=$3 t="$out/match_$1_$3.times" c="$out/match_$1_$3.csv"
        shift 3
        : >"$t"
        for _ in $(seq "$runs"); do
            if ! /usr/bin/time -f '%e %M' -a -o "$t" "$@" --clusters-out "$c" \
                    >"$out/match_${label}_$method.out" 2>"$out/match_${label}_$method.err"; then
                echo "  $label $method: crmerge resolve failed:" >&2
                tail -n 5 "$out/match_${label}_$method.err" >&2
                return 1
            fi
        done
        ./crmerge eval --truth "$truth" --clusters "$c" --json >"$out/match_${label}_$method.eval" ||
            { echo "  $label $method: crmerge eval failed" >&2; return 1; }
        local prf wall rss records
        prf=$(python3 -c 'import json, sys; e = json.load(open(sys.argv[1]))
print("%.4f %.4f %.4f" % (e["precision"], e["recall"], e["f1"]))' "$out/match_${label}_$method.eval") ||
            { echo "  $label $method: crmerge eval --json gave no precision/recall/f1" >&2; return 1; }
        wall=$(awk '{print $1}' "$t" | median)
        rss=$(awk '{print $2}' "$t" | median)
        records=$(($(wc -l <"$truth") - 1))
        set -- $prf
        printf '  %-18s %8d records  %-14s precision %s recall %s F1 %s  %7.2f s  %7.1f MB\n' \
            "$label" "$records" "$method" "$1" "$2" "$3" "$wall" "$(calc "$rss / 1024")"
        printf '| %s | %d | %s | %s | %s | %s | %.2f s | %.1f MB |\n' "$label" "$records" \
            "$method" "$1" "$2" "$3" "$wall" "$(calc "$rss / 1024")" >>"$out/match.md"
    }

    match_failed=0
    if [ ! -f "${CRMERGE_SCHEMAS:-schemas}/febrl.json" ]; then
        echo "  Febrl: skipped, no layout febrl (schemas/febrl.json) in this build" >&2
        echo "| Febrl 1-3 | | skipped: no layout febrl | | | | | |" >>"$out/match.md"
    elif [ ! -d "$febrl" ]; then
        echo "  Febrl: skipped, $febrl is not there" >&2
        echo "| Febrl 1-3 | | skipped: data not found | | | | | |" >>"$out/match.md"
    else
        for d in dataset1 dataset2 dataset3; do
            bench/febrl_truth.sh "$febrl/$d.csv" >"$out/febrl_${d}_truth.csv"
            for method in exact fellegi_sunter; do
                match_row "febrl_$d" "$out/febrl_${d}_truth.csv" "$method" \
                    ./crmerge resolve --layout febrl --method "$method" "$febrl/$d.csv" || match_failed=1
            done
        done
    fi

    # the multi-CRM population: ACT!, GoldMine and Siebel (the HubSpot part needs the
    # loopback server, whose speed would dominate the time)
    mdir=$out/multi_$persons
    [ -s "$mdir/truth.csv" ] || build/bench/gen_multi "$persons" "$mdir" --seed 42 2>"$out/gen_multi.err"
    awk -F, 'NR == 1 || $1 != "hubspot"' "$mdir/truth.csv" >"$mdir/truth_files.csv"
    for method in exact fellegi_sunter; do
        python3 -c 'import json, sys
c = json.load(open(sys.argv[1])); c["match"] = {"method": sys.argv[2]}
json.dump(c, open(sys.argv[3], "w"), indent=1)' "$mdir/files.json" "$method" "$mdir/match_$method.json"
        match_row "multi_$persons" "$mdir/truth_files.csv" "$method" \
            ./crmerge resolve -c "$mdir/match_$method.json" || match_failed=1
    done
    cat "$out/match.md"
    [ "$match_failed" = 0 ] || exit 1
fi
fi

# 7. the matcher at scale (BENCH_ONLY=match_scale): crmerge resolve on gen_multi's file
#    sources at about 100k, 1M and 2M records: seconds, peak RSS, F1, and the time of
#    crmerge extract of the same files (the reading alone) measured in the same run.
if [ "${BENCH_ONLY:-}" = match_scale ]; then
echo "== matcher at scale (crmerge resolve on gen_multi file sources; $runs runs, median)"
[ -x build/bench/gen_multi ] || make -j2 build/bench/gen_multi >/dev/null
{ echo "| records | resolve wall | of it extract+normalise | resolve stage | crmerge extract alone | peak RSS | F1 |"
  echo "|---:|---:|---:|---:|---:|---:|---:|"; } >"$out/match_scale.md"
for persons in ${BENCH_SCALE_PERSONS:-66500 665000 1330000}; do
    d=$out/scale_$persons
    [ -s "$d/truth.csv" ] || build/bench/gen_multi "$persons" "$d" --seed 7 2>/dev/null
    awk -F, 'NR == 1 || $1 != "hubspot"' "$d/truth.csv" >"$d/truth_files.csv"
    : >"$d/times"; : >"$d/stages"; : >"$d/extract"
    for _ in $(seq "$runs"); do
        /usr/bin/time -f '%e %M' -a -o "$d/times" ./crmerge resolve -c "$d/files.json" \
            --clusters-out "$d/c.csv" 2>"$d/err" >/dev/null || { tail -3 "$d/err" >&2; exit 1; }
        sed -n 's/.*extract+normalise \([0-9.]*\) s, resolve \([0-9.]*\) s.*/\1 \2/p' "$d/err" >>"$d/stages"
        /usr/bin/time -f '%e' -a -o "$d/extract" ./crmerge extract -c "$d/files.json" >/dev/null 2>&1
    done
    records=$(($(wc -l <"$d/truth_files.csv") - 1))
    f1=$(./crmerge eval --truth "$d/truth_files.csv" --clusters "$d/c.csv" --json |
         python3 -c 'import json, sys; print("%.4f" % json.load(sys.stdin)["f1"])')
    wall=$(awk '{print $1}' "$d/times" | median)
    rss=$(awk '{print $2}' "$d/times" | median)
    en=$(awk '{print $1}' "$d/stages" | median)
    rs=$(awk '{print $2}' "$d/stages" | median)
    ex=$(median <"$d/extract")
    printf '  %8d records: %6.2f s (extract+normalise %.2f s, resolve %.2f s), extract alone %.2f s, %7.1f MB, F1 %s\n' \
        "$records" "$wall" "$en" "$rs" "$ex" "$(calc "$rss / 1024")" "$f1"
    printf '| %d | %.2f s | %.2f s | %.2f s | %.2f s | %.1f MB | %s |\n' "$records" "$wall" "$en" \
        "$rs" "$ex" "$(calc "$rss / 1024")" "$f1" >>"$out/match_scale.md"
    [ -n "${BENCH_KEEP:-}" ] || rm -rf "$d"
done
cat "$out/match_scale.md"
fi
