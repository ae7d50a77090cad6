#!/usr/bin/env bash
# Web-API sources end to end: `crmerge extract` and `crmerge run` read a HubSpot-shaped
# API over loopback (tests/http/server.py with crm_pages.py) through the normal extract
# path; the second run is incremental (only what changed since the stored bookmark, via
# the search endpoint); a 401 fails the source naming the variable, never the token.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/http/lib.sh"

cp "$ROOT/tests/fixtures/http/contacts.json" "$tmpdir/contacts.json"
cat >"$tmpdir/scenario.json" <<'JSON'
{ "routes": [ { "crm": "hubspot", "dataset": "contacts.json", "token": "e2e-hs-token" } ] }
JSON
http_start "$tmpdir/scenario.json" || exit 1
cat >"$tmpdir/api.json" <<JSON
{ "reject_rate_max": 1,
  "sources": [ { "name": "hubspot", "connector": "http", "preset": "hubspot",
                 "base_url": "$HTTP_BASE", "token_env": "E2E_HS_TOKEN", "page_size": 4 } ] }
JSON
export E2E_HS_TOKEN=e2e-hs-token

"$CRMERGE" extract -c "$tmpdir/api.json" --source hubspot >"$tmpdir/out.jsonl" 2>"$tmpdir/err"
check_eq "extract: every live contact once" "$(wc -l <"$tmpdir/out.jsonl")" 9
check_grep "extract: the archived contact is reported deleted" "key 4" cat "$tmpdir/err"
check_eq "extract: three pages" "$(http_requests /crm/v3/objects/contacts)" 3

check "first run publishes" "$CRMERGE" run -c "$tmpdir/api.json"
check_eq "records published" "$(psql_q "SELECT count(*) FROM crm.source_record WHERE deleted_run IS NULL")" 9
check "second run" "$CRMERGE" run -c "$tmpdir/api.json"
check_eq "the second run asks the search endpoint for changes only" \
    "$(http_requests /crm/v3/objects/contacts/search)" 1
check_eq "records still there" "$(psql_q "SELECT count(*) FROM crm.source_record WHERE deleted_run IS NULL")" 9

E2E_HS_TOKEN=not-the-token "$CRMERGE" extract -c "$tmpdir/api.json" --source hubspot \
    >/dev/null 2>"$tmpdir/err401"
check_eq "a 401 fails the source (exit 5)" "$?" 5
check_grep "the 401 names the variable" 'check the token in \$E2E_HS_TOKEN' cat "$tmpdir/err401"
check_eq "and not the token" "$(grep -c not-the-token "$tmpdir/err401")" 0
