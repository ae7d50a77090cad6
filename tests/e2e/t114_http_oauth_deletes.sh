#!/usr/bin/env bash
# A Salesforce-style source with OAuth2 client credentials (tokens that expire every 2 s,
# fetched from the token endpoint, the secret only in the environment): the first run reads
# the whole org; the second, incremental, gets an edit and a deletion (queryAll's
# IsDeleted): the deleted contact is marked deleted in source_record, its customer retired,
# the untouched contacts kept. A wrong client secret fails the run naming the variable.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/http/lib.sh"

python3 - "$tmpdir" <<'PY'
import json, sys
d = sys.argv[1]
base = [{"id": "003A%012d" % i, "first": "Jo%d" % i, "last": "Lee%d" % i,
         "email": "jo%d@lee.example" % i, "phone": "+1 555 01%02d" % i, "company": "Lee Inc",
         "updated": "2024-05-01T10:%02d:00Z" % i, "deleted": False} for i in range(30)]
json.dump(base, open(d + "/day1.json", "w"))
day2 = [dict(c) for c in base]
day2[3].update(last="Edited", updated="2024-05-03T08:00:00Z")
day2[4].update(deleted=True, updated="2024-05-03T08:01:00Z")
json.dump(day2, open(d + "/day2.json", "w"))
PY
for day in day1 day2; do
cat >"$tmpdir/$day.scenario.json" <<JSON
{ "routes": [
  { "method": "POST", "path": "/services/oauth2/token",
    "oauth_token": { "client_id": "crm-client", "client_secret": "sf-s3cret", "expires_in": 2 } },
  { "crm": "salesforce", "dataset": "$day.json", "require_oauth": true, "page_size": 10 } ] }
JSON
done
config() {
    cat >"$tmpdir/sf.json" <<JSON
{ "sources": [ { "name": "sf", "connector": "http", "preset": "salesforce", "base_url": "$HTTP_BASE",
                 "client_id_env": "SF_CLIENT_ID", "client_secret_env": "SF_CLIENT_SECRET",
                 "page_size": 10 } ] }
JSON
}
export SF_CLIENT_ID=crm-client SF_CLIENT_SECRET=sf-s3cret

http_start "$tmpdir/day1.scenario.json" || exit 1
config
check "day 1: a whole read through OAuth2" "$CRMERGE" run -c "$tmpdir/sf.json"
check_eq "30 contacts, keys are Salesforce ids" \
    "$(psql_q "SELECT count(*) || ' ' || min(source_key) FROM crm.source_record WHERE deleted_run IS NULL")" \
    "30 003A000000000000"
check_eq "a token was fetched from the token endpoint" \
    "$(test "$(http_requests /services/oauth2/token)" -ge 1 && echo yes)" yes
check_eq "the secret is nowhere in the run log" \
    "$(psql_q "SELECT count(*) FROM crm.run WHERE summary::text LIKE '%s3cret%'")" 0

http_start "$tmpdir/day2.scenario.json" || exit 1
config
check_exit "a wrong client secret fails the source (exit 5)" 5 \
    env SF_CLIENT_SECRET=wrong-s3cret "$CRMERGE" run -c "$tmpdir/sf.json"
cp "$tmpdir/last.out" "$tmpdir/failed.out"
check_eq "the message names no secret" "$(grep -c 's3cret' "$tmpdir/failed.out")" 0
check_grep "... and says what failed" 'token|401|invalid_client' cat "$tmpdir/failed.out"

sleep 2     # day 1's token has expired by now: a new one is fetched
check "day 2: an incremental read" "$CRMERGE" run -c "$tmpdir/sf.json"
check_eq "it delivered the edit, the deletion and (>= bookmark) day 1's newest again, unchanged; 27 kept" \
    "$(psql_q "SELECT summary->'sources'->0->>'records', summary->'sources'->0->>'deleted',
                      summary->>'records_changed', summary->>'records_unchanged',
                      summary->>'records_kept', summary->>'records_deleted'
               FROM crm.run WHERE run_id = (SELECT max(run_id) FROM crm.run)" | tr '|' ' ')" \
    "2 1 1 1 27 1"
check_eq "the deleted contact is marked deleted, the edit published, 29 live" \
    "$(psql_q "SELECT source_key FROM crm.source_record WHERE deleted_run IS NOT NULL") $(psql_q "SELECT canonical->>'family_name' FROM crm.source_record WHERE source_key = '003A000000000003'") $(psql_q "SELECT count(*) FROM crm.source_record WHERE deleted_run IS NULL")" \
    "003A000000000004 Edited 29"
check_eq "its customer is retired, the others stay" \
    "$(psql_q "SELECT count(*) FILTER (WHERE retired_run IS NOT NULL) || ' ' || count(*) FILTER (WHERE retired_run IS NULL) FROM crm.customer")" \
    "1 29"
check_eq "the bookmark moved to the newest SystemModstamp" \
    "$(psql_q "SELECT bookmark FROM crm.sync_state WHERE source = 'sf'")" "2024-05-03T08:01:00Z"
