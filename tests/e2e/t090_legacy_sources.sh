#!/usr/bin/env bash
# Every legacy reader in one config, published together: an ACT! CSV export, a GoldMine
# table set (CONTACT1 + CONTACT2 + CONTSUPP) as CSV and as dBase tables, Siebel EAI XML
# exports (one broken midway), an old ACT! dBase contact table (one cut short), a vCard
# 4.0 file and an Outlook contacts CSV. Each source's records reach the crosswalk under their own keys, byte-exact,
# and every record that could not be read is in rejected_record with where and why.
. "$(dirname "$0")/lib.sh"

head -c $((1057 + 1038 * 2 + 500)) tests/fixtures/dbf/act6.dbf >"$tmpdir/ACTCUT.DBF"  # in record 3
cat >"$tmpdir/legacy.json" <<JSON
{ "reject_rate_max": 1,
  "sources": [
    { "name": "act", "connector": "csv", "layout": "act",
      "path": "$ROOT/examples/exports/act_head_office.csv" },
    { "name": "goldmine", "connector": "goldmine", "layout": "goldmine",
      "path": "$ROOT/tests/fixtures/goldmine/sql" },
    { "name": "siebel", "connector": "siebel_xml", "layout": "siebel_xml",
      "path": "$ROOT/tests/fixtures/siebel/contacts.xml" },
    { "name": "siebel_cut", "connector": "siebel_xml", "layout": "auto",
      "path": "$ROOT/tests/fixtures/siebel/broken.xml" },
    { "name": "goldmine_dbf", "connector": "goldmine", "layout": "goldmine",
      "path": "$ROOT/tests/fixtures/goldmine/dbf" },
    { "name": "act_dbf", "connector": "dbf", "layout": "act_dbf",
      "path": "$ROOT/tests/fixtures/dbf/act6.dbf" },
    { "name": "act_dbf_cut", "connector": "auto", "layout": "auto",
      "path": "$tmpdir/ACTCUT.DBF" },
    { "name": "vcard", "connector": "vcard", "layout": "vcard",
      "path": "$ROOT/tests/fixtures/vcard/v40.vcf" },
    { "name": "outlook", "connector": "csv", "layout": "outlook",
      "path": "$ROOT/tests/fixtures/outlook/outlook_classic.csv" } ] }
JSON

check "the run over all legacy sources succeeds" "$CRMERGE" run -c "$tmpdir/legacy.json"
check_eq "records per source" \
    "$(psql_q "SELECT string_agg(source || '=' || n, ' ' ORDER BY source)
               FROM (SELECT source, count(*) n FROM crm.source_record GROUP BY source) s")" \
    "act=10 act_dbf=4 act_dbf_cut=2 goldmine=4 goldmine_dbf=4 outlook=3 siebel=3 siebel_cut=2 vcard=2"
check_eq "every record has a crosswalk row" \
    "$(psql_q "SELECT count(*) FROM crm.source_record r
               JOIN crm.crosswalk x USING (source, source_key)")" 34
check_eq "GoldMine ACCOUNTNOs are the keys, byte-exact (spaces, comma, quote)" \
    "$(psql_q "SELECT string_agg('[' || source_key || ']', ' ' ORDER BY source_key COLLATE \"C\")
               FROM crm.crosswalk WHERE source = 'goldmine'")" \
    '[ 0010100001abcdefDee] [A3070512345$%&(*9Ann] [A3070512345$%&(*9Ann/ZX3K0P7)%4XC(S6] [B0021433210 ,"!Q7Bob]'
check_eq "the GoldMine additional contact is its own record, linked to its company" \
    "$(psql_q "SELECT canonical->>'full_name' || ' / ' || (canonical->>'company') || ' / '
                      || (canonical->'extra'->>'Linked ACCOUNTNO')
               FROM crm.source_record WHERE source = 'goldmine' AND source_key LIKE '%/%'")" \
    'Ben Miller / Cole Bakery / A3070512345$%&(*9Ann'
check_eq "Siebel row ids are the keys" \
    "$(psql_q "SELECT string_agg(source_key, ' ' ORDER BY source_key) FROM crm.crosswalk
               WHERE source LIKE 'siebel%'")" "1+AB+3CD 1-2AB3C 1-2AB3D 1-B1 1-B2"
check_eq "the GoldMine dBase edition gives the same keys as the SQL edition" \
    "$(psql_q "SELECT string_agg(source_key, '|' ORDER BY source_key COLLATE \"C\") FROM crm.crosswalk
               WHERE source = 'goldmine_dbf'")" \
    "$(psql_q "SELECT string_agg(source_key, '|' ORDER BY source_key COLLATE \"C\") FROM crm.crosswalk
               WHERE source = 'goldmine'")"
check_eq "the old ACT! table's unique ids are the keys, its cp1252 text UTF-8" \
    "$(psql_q "SELECT source_key || ' ' || (canonical->>'family_name') FROM crm.source_record
               WHERE source = 'act_dbf_cut' ORDER BY source_key")" "0A1B2C3D4E5F Cole
0A1B2C3D4E60 Weiß"
check_eq "a vCard's UID is its key; a card without one gets a derived key" \
    "$(psql_q "SELECT string_agg(CASE WHEN key_derived THEN 'derived' ELSE source_key END, ' '
                                 ORDER BY key_derived) FROM crm.source_record WHERE source = 'vcard'")" \
    "urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1 derived"
check_eq "ACT! keys are derived (its default export has no id)" \
    "$(psql_q "SELECT count(*) FILTER (WHERE key_derived) || '/' || count(*)
               FROM crm.source_record WHERE source = 'act'")" "10/10"
check_eq "Siebel nested addresses arrive as the canonical array, primary first" \
    "$(psql_q "SELECT canonical->'addresses'->0->>'city' || ',' || (canonical->'addresses'->1->>'city')
               FROM crm.source_record WHERE source_key = '1-2AB3C'")" "Berlin,Potsdam"
check_eq "every unreadable record is in rejected_record, with where and why" \
    "$(psql_q "SELECT string_agg(source || ' ' || regexp_replace(location, '^.*/', '') || ' ' || reason,
                                 E'\n' ORDER BY source, location) FROM crm.rejected_record")" \
    "act act_head_office.csv:9 unbalanced quote
act_dbf_cut ACTCUT.DBF:3 record 3 of 5 is cut short: the file ends after 500 of its 1038 bytes
act_dbf_cut ACTCUT.DBF:4-5 records 4 to 5 of 5 are missing: the file ends inside record 3
goldmine CONTACT1.csv:4 CONTACT1 row without ACCOUNTNO
goldmine Contact2.CSV:3 orphan CONTACT2 row: no CONTACT1 with ACCOUNTNO \"Y8888888888YYYYYYYYY\"
goldmine contsupp.csv:8 orphan CONTSUPP row: no CONTACT1 with ACCOUNTNO \"Z9999999999ZZZZZZZZZ\"
goldmine_dbf CONTACT1.DBF:3 CONTACT1 row without ACCOUNTNO
goldmine_dbf CONTSUPP.DBF:7 orphan CONTSUPP row: no CONTACT1 with ACCOUNTNO \"Z9999999999ZZZZZZZZZ\"
goldmine_dbf contact2.dbf:2 orphan CONTACT2 row: no CONTACT1 with ACCOUNTNO \"Y8888888888YYYYYYYYY\"
siebel_cut broken.xml:18 not well formed: Opening and ending tag mismatch: FirstName line 16 and Contact — the rest of the file was not read"
check_eq "the run's counts add up: 34 records in, 10 rejected" \
    "$(psql_q "SELECT status || ' ' || (summary->>'records_in') || ' ' || (summary->>'rejected')
               FROM crm.run")" "succeeded 34 10"
check_grep "a rerun on the same input changes nothing" \
    'nothing changed since the last run' "$CRMERGE" run -c "$tmpdir/legacy.json"
