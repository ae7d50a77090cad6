#!/usr/bin/env bash
# The issue's "done when": a HubSpot-style source pulls every contact from a loopback
# server through injected faults (429 with Retry-After, a 500, a stalled response, a
# truncated transfer) with none lost and none duplicated; the bookmark is committed with
# the records; a second run pulls only the changes (HubSpot's search endpoint); a page
# that is not JSON or a wrong token fails the run and publishes nothing, the bookmark
# stays; --full reads everything again and marks what is gone deleted.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/http/lib.sh"

# 250 contacts: three pages of 100; contact i was last modified at 2024-05-01 + i minutes
python3 - "$tmpdir" <<'PY'
import json, sys, datetime
d = sys.argv[1]
t0 = datetime.datetime(2024, 5, 1, tzinfo=datetime.timezone.utc)
def contact(i, **kw):
    c = {"id": str(1000 + i), "first": "Ann%d" % i, "last": "Cole%d" % i,
         "email": "ann%d@cole.example" % i, "phone": "+49 30 %06d" % i,
         "company": "Cole %d GmbH" % (i % 7),
         "updated": (t0 + datetime.timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
         "deleted": False}
    c.update(kw)
    return c
day1 = [contact(i) for i in range(250)]
json.dump(day1, open(d + "/day1.json", "w"))
# day 2: three contacts edited, two new, all later than anything of day 1
late = lambda m: (t0 + datetime.timedelta(days=2, minutes=m)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
day2 = [dict(c) for c in day1]
for n, i in enumerate((7, 123, 249)):
    day2[i].update(last="Edited%d" % i, updated=late(n))
day2 += [contact(300, updated=late(10)), contact(301, updated=late(11))]
json.dump(day2, open(d + "/day2.json", "w"))
# day 3 (full refresh): contact 42 is gone from the CRM
json.dump([c for c in day2 if c["id"] != "1042"], open(d + "/day3.json", "w"))
PY

L=/crm/v3/objects/contacts
# faults first (each answers once), then the real pages
cat >"$tmpdir/faults.json" <<JSON
{ "routes": [
  { "path": "$L", "query": { "after": null }, "status": 429,
    "headers": { "Retry-After": "1" }, "body": { "status": "error", "category": "RATE_LIMITS" },
    "times": 1 },
  { "path": "$L", "query": { "after": "100" }, "status": 500, "body": "oops", "times": 1 },
  { "path": "$L", "query": { "after": "100" }, "stall": 30, "body": "ab", "times": 1 },
  { "path": "$L", "query": { "after": "200" }, "crm": "hubspot", "dataset": "day1.json",
    "token": "tok-good", "truncate": 40, "times": 1 },
  { "crm": "hubspot", "dataset": "day1.json", "token": "tok-good" } ] }
JSON
for day in day2 day3; do
    sed "s/day1.json/$day.json/" "$tmpdir/faults.json" |
        python3 -c 'import json,sys; s=json.load(sys.stdin); s["routes"]=s["routes"][-1:]; print(json.dumps(s))' \
        >"$tmpdir/$day.scenario.json"
done
cat >"$tmpdir/broken.scenario.json" <<JSON
{ "routes": [ { "crm": "hubspot", "dataset": "day2.json", "token": "tok-good",
                "fault_page": 2, "fault": "not_json" } ] }
JSON

config() {   # a config for the server now running
    cat >"$tmpdir/web.json" <<JSON
{ "sources": [ { "name": "hubspot", "connector": "http", "preset": "hubspot",
                 "base_url": "$HTTP_BASE", "token_env": "HUBSPOT_TOKEN",
                 "low_speed_timeout_s": 1, "max_attempts": 4, "max_retry_seconds": 20 } ] }
JSON
}
export HUBSPOT_TOKEN=tok-good
live() { psql_q "SELECT count(*) FROM crm.source_record WHERE source = 'hubspot' AND deleted_run IS NULL"; }
bookmark() { psql_q "SELECT bookmark FROM crm.sync_state WHERE source = 'hubspot'"; }
state() { psql_q "SELECT count(*), max(changed_run), string_agg(content_hash, '' ORDER BY source_key) FROM crm.source_record" | md5sum; }

# ---- day 1: every contact through the faults ------------------------------------------
http_start "$tmpdir/faults.json" || exit 1
config
check "day 1: the run succeeds through 429, 500, a stall and a truncated page" \
    "$CRMERGE" run -c "$tmpdir/web.json"
check_eq "all 250 contacts published once: 250 distinct keys, no rejects" \
    "$(psql_q "SELECT count(*) || ' ' || count(DISTINCT source_key) FROM crm.source_record")
$(psql_q 'SELECT count(*) FROM crm.rejected_record')" "250 250
0"
check_eq "each fault was answered and retried: 3 pages + 4 faults = 7 list requests" \
    "$(http_requests $L)" 7
check_eq "records mapped from HubSpot's properties" \
    "$(psql_q "SELECT (canonical->>'given_name') || ' ' || (canonical->>'family_name') || ' ' ||
                      (canonical->'emails'->>0) FROM crm.source_record WHERE source_key = '1007'")" \
    "Ann7 Cole7 ann7@cole.example"
check_eq "the bookmark is the newest updatedAt, as HubSpot's search filter wants it (epoch ms)" \
    "$(bookmark)" "$(python3 -c 'import datetime as d; print(int((d.datetime(2024,5,1,tzinfo=d.timezone.utc)+d.timedelta(minutes=249)).timestamp()*1000))')"
check_eq "the token never reaches the database" \
    "$(psql_q "SELECT count(*) FROM crm.run WHERE summary::text LIKE '%tok-good%'")
$(psql_q "SELECT count(*) FROM crm.source_record WHERE canonical::text LIKE '%tok-good%' OR location LIKE '%tok-good%'")" "0
0"
day1_bookmark=$(bookmark)

# ---- a page that is not JSON: nothing published, bookmark kept --------------------------
http_start "$tmpdir/broken.scenario.json" || exit 1
config
before=$(state)
check_exit "a page that is not JSON fails the source (exit 5)" 5 \
    "$CRMERGE" run -c "$tmpdir/web.json" --full
cp "$tmpdir/last.out" "$tmpdir/failed.out"
check_grep "the error names the page and its URL" "page 2 is not valid JSON.*|127.0.0.1.*page 2" \
    cat "$tmpdir/failed.out"
check_eq "nothing was published, the bookmark stays" "$(state) $(bookmark)" "$before $day1_bookmark"

# ---- a wrong token: a clear failure that never shows the token --------------------------
http_start "$tmpdir/day2.scenario.json" || exit 1
config
check_exit "a wrong token fails the source (exit 5)" 5 \
    env HUBSPOT_TOKEN=tok-WRONG-s3cret "$CRMERGE" run -c "$tmpdir/web.json"
cp "$tmpdir/last.out" "$tmpdir/failed.out"
check_grep "the error says 401 and names the variable" '401.*HUBSPOT_TOKEN' cat "$tmpdir/failed.out"
check_eq "... never the token, in the output or the run log" \
    "$(grep -c 'tok-WRONG-s3cret' "$tmpdir/failed.out") $(psql_q "SELECT count(*) FROM crm.run WHERE summary::text LIKE '%s3cret%'")" "0 0"
check_eq "nothing was published" "$(state)" "$before"

# ---- day 2: only the changes ----------------------------------------------------------
http_start "$tmpdir/day2.scenario.json" || exit 1
config
check "day 2: incremental run" "$CRMERGE" run -c "$tmpdir/web.json"
check_eq "only the search endpoint was asked, not the list" \
    "$(http_requests $L/search) $(http_requests $L)" "1 0"
check_eq "5 records delivered (3 edited, 2 new), 250 kept as they were" \
    "$(psql_q "SELECT summary->'sources'->0->>'records', summary->'sources'->0->>'read', summary->>'records_kept',
                      summary->>'records_new', summary->>'records_changed'
               FROM crm.run WHERE run_id = (SELECT max(run_id) FROM crm.run)" | tr '|' ' ')" \
    "5 changes 247 2 3"
check_eq "252 live records, the edits published" \
    "$(live) $(psql_q "SELECT canonical->>'family_name' FROM crm.source_record WHERE source_key = '1123'")" \
    "252 Edited123"
check_eq "252 customers, none retired" \
    "$(psql_q "SELECT count(*) FILTER (WHERE retired_run IS NULL) || ' ' || count(*) FROM crm.customer")" "252 252"
check_grep "day 2 again: the same changes (>= bookmark) change nothing, and it says so" \
    'nothing changed since the last run' "$CRMERGE" run -c "$tmpdir/web.json"

# ---- day 3: --full sees what is gone --------------------------------------------------
http_start "$tmpdir/day3.scenario.json" || exit 1
config
check "day 3: run --full" "$CRMERGE" run -c "$tmpdir/web.json" --full
check_eq "a full read of 251 records: the one gone from the CRM is deleted, its customer retired" \
    "$(live) $(psql_q "SELECT source_key FROM crm.source_record WHERE deleted_run IS NOT NULL")
$(psql_q "SELECT count(*) FROM crm.customer WHERE retired_run IS NOT NULL")" "251 1042
1"
check_eq "the list endpoint was read, not the search" \
    "$(http_requests $L/search) $(http_requests $L)" "0 3"
check_eq "sync_state records the full read" \
    "$(psql_q "SELECT full_run = updated_run FROM crm.sync_state WHERE source = 'hubspot'")" t

# ---- check and extract work for an API source like for files ----------------------------
check_grep "crmerge check reads the API and names connector and preset layout" \
    'source hubspot: http connector, layout hubspot: GET .*251 records' \
    "$CRMERGE" check -c "$tmpdir/web.json"
check "crmerge extract --source hubspot" "$CRMERGE" extract -c "$tmpdir/web.json" --source hubspot
check_eq "... prints the 251 contacts as JSON Lines" \
    "$(grep -c '^{"source":"hubspot"' "$tmpdir/last.out")" 251
