#!/usr/bin/env bash
# The demo config into a fresh database: what is published, what is rejected, and that
# a rerun on the same input changes nothing and says so.
. "$(dirname "$0")/lib.sh"

cfg=examples/pipeline.json

check_grep "check reads both sources and writes nothing" \
    'a run would read 10 records and reject 1' "$CRMERGE" check -c "$cfg"
check_eq "check created no schema" \
    "$(psql_q "SELECT count(*) FROM pg_namespace WHERE nspname = 'crm'")" 0

check "first run succeeds" "$CRMERGE" run -c "$cfg"
cp "$tmpdir/last.out" "$tmpdir/run1.out"
check_eq "14 source records published" "$(psql_q 'SELECT count(*) FROM crm.source_record')" 14
check_eq "11 customers (3 records merged by shared e-mail)" \
    "$(psql_q 'SELECT count(*) FROM crm.customer WHERE retired_run IS NULL')" 11
check_eq "every record in the crosswalk" "$(psql_q 'SELECT count(*) FROM crm.crosswalk')" 14
check_eq "Jürgen Müller's records from both offices are one customer" \
    "$(psql_q "SELECT count(DISTINCT x.customer_id) || '/' || count(*) FROM crm.crosswalk x
               JOIN crm.source_record r USING (source, source_key)
               WHERE r.canonical->>'family_name' = 'Müller'")" "1/2"
check_eq "cp1252 and UTF-16 text arrives as UTF-8" \
    "$(psql_q "SELECT canonical->'extra'->>'Notes' FROM crm.source_record
               WHERE canonical->>'company' = 'Dupont SA' AND source = 'act_head_office'")" \
    "Met at the “Salon” fair; budget €50k."
check_eq "the damaged line is in rejected_record with its line and reason" \
    "$(psql_q "SELECT source || ' ' || location || ' ' || reason FROM crm.rejected_record")" \
    "act_head_office examples/exports/act_head_office.csv:9 unbalanced quote"
check_eq "the run is recorded as succeeded with its counts" \
    "$(psql_q "SELECT status || ' ' || (summary->>'records_in') || ' ' || (summary->>'rejected')
               || ' ' || (summary->>'customers_new') FROM crm.run")" "succeeded 14 1 11"
check_eq "migrations recorded" \
    "$(psql_q "SELECT string_agg(name, ',' ORDER BY version) FROM crm.schema_migration")" \
    "$(ls schemas/sql | paste -sd, -)"

snapshot() {
    psql_q "SELECT md5(string_agg(c::text, '|' ORDER BY customer_id)) FROM crm.customer c;
            SELECT md5(string_agg(x::text, '|' ORDER BY source, source_key)) FROM crm.crosswalk x;
            SELECT md5(string_agg(r.source || r.source_key || r.content_hash || r.changed_run
                                  || r.canonical::text, '|' ORDER BY source, source_key))
            FROM crm.source_record r"
}
before=$(snapshot)
check_grep "a rerun on the same input says nothing changed" \
    'nothing changed since the last run' "$CRMERGE" run -c "$cfg"
cp "$tmpdir/last.out" "$tmpdir/run2.out"
check_grep "the rerun reports 14 unchanged records" \
    '0 new, 0 changed, 14 unchanged, 0 deleted' cat "$tmpdir/run2.out"
check_eq "the rerun changed no customer, crosswalk or record" "$(snapshot)" "$before"
check_eq "the rerun is recorded as unchanged" \
    "$(psql_q "SELECT summary->>'unchanged' FROM crm.run ORDER BY run_id DESC LIMIT 1")" true

# the extract contract: one JSON object per record, the documented keys in order
"$CRMERGE" extract -c "$cfg" >"$tmpdir/extract.jsonl" 2>"$tmpdir/extract.err"
check_eq "extract exits 0" "$?" 0
check_eq "extract prints one line per record" "$(wc -l <"$tmpdir/extract.jsonl")" 14
check_eq "extract reports the reject on stderr with file, line and reason" \
    "$(grep '^rejected' "$tmpdir/extract.err")" \
    "rejected: act_head_office: examples/exports/act_head_office.csv:9: unbalanced quote"
keys=$(python3 - "$tmpdir/extract.jsonl" <<'PY'
import json, sys
seen = set()
for line in open(sys.argv[1], encoding="utf-8"):
    rec = json.loads(line)
    seen.add(",".join(rec.keys()))
    assert isinstance(rec["emails"], list)
    for p in rec["phones"]:
        assert p["type"] in ("work", "mobile", "home", "fax", "other"), p
    for a in rec["addresses"]:
        assert set(a) == {"type", "lines", "city", "region", "postal_code", "country"}, a
    assert isinstance(rec["extra"], dict)
print("\n".join(sorted(seen)))
PY
)
check_eq "extract keys are the contract, in order" "$keys" \
    "source,source_key,source_key_derived,source_updated,prefix,given_name,middle_name,family_name,suffix,full_name,company,department,title,emails,phones,addresses,created,birth_date,status,extra"
check_eq "a Contact-only name is split" \
    "$("$CRMERGE" extract -c "$cfg" --source act_berlin 2>/dev/null | python3 -c '
import json, sys
for l in sys.stdin:
    r = json.loads(l)
    if r["full_name"] == "Dipl.-Ing. Frank Krause":
        print(r["prefix"], r["given_name"], r["family_name"], sep="|")')" "Dipl.-Ing.|Frank|Krause"
