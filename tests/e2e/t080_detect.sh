#!/usr/bin/env bash
# Layout detection: `crmerge detect` names the layout with a confidence, says "unknown"
# with the nearest candidates, refuses to guess between near-equal candidates, and a
# source with "layout": "auto" uses it.
. "$(dirname "$0")/lib.sh"

check_grep "an ACT! CSV export is detected by its header" \
    '^examples/exports/act_head_office.csv: act \(csv connector, 1.00, by header\)$' \
    "$CRMERGE" detect examples/exports/act_head_office.csv
check_grep "a UTF-16 tab-delimited ACT! export too" \
    '^examples/exports/act_berlin.txt: act \(csv connector, 1.00, by header\)$' \
    "$CRMERGE" detect examples/exports/act_berlin.txt
check_grep "an old ACT! dBase contact table is detected by its field names" \
    '^tests/fixtures/dbf/act6.dbf: act_dbf \(dbf connector, 1.00, by dBase header\)$' \
    "$CRMERGE" detect tests/fixtures/dbf/act6.dbf
check_grep "GoldMine's CONTACT1.DBF is the goldmine layout, not ACT!'s" \
    '^tests/fixtures/goldmine/dbf/CONTACT1.DBF: goldmine \(goldmine connector, 1.00, by dBase header\)$' \
    "$CRMERGE" detect tests/fixtures/goldmine/dbf/CONTACT1.DBF

for f in outlook/outlook_classic.csv outlook/outlook_com.csv google/google_contacts.csv \
         google/google_legacy.csv; do
    want=${f%%/*}
    check_grep "an ${want^} export is detected by its header ($f)" \
        "^tests/fixtures/$f: $want \\(csv connector, 1.00, by header\\)\$" \
        "$CRMERGE" detect "tests/fixtures/$f"
done
check_grep "a vCard file is detected by its first line" \
    '^tests/fixtures/vcard/v40.vcf: vcard \(vcard connector, 1.00, by BEGIN:VCARD\)$' \
    "$CRMERGE" detect tests/fixtures/vcard/v40.vcf
check_eq "and extract reads it with the layout's connector" \
    "$("$CRMERGE" extract --layout vcard tests/fixtures/vcard/v40.vcf 2>/dev/null |
       grep -c '"source_key":"urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1"')" 1
printf 'id;colour;size\n1;red;XL\n' >"$tmpdir/stock.csv"
check_exit "a file of no known layout exits 5" 5 "$CRMERGE" detect "$tmpdir/stock.csv"
check_last "and says unknown with the nearest candidates" "stock.csv: unknown \(nearest: "

# two layouts that read the same header equally well: no silent guess
mkdir "$tmpdir/schemas"
cp schemas/*.json "$tmpdir/schemas/"
sed 's/"layout": "act"/"layout": "act_copy"/' schemas/act.json >"$tmpdir/schemas/act_copy.json"
CRMERGE_SCHEMAS="$tmpdir/schemas" check_exit "two equally good layouts: exit 5" 5 \
    "$CRMERGE" detect examples/exports/act_head_office.csv
check_last "and both are named" 'ambiguous \(candidates: act(_copy)? 1.00, act(_copy)? 1.00'

cat >"$tmpdir/auto.json" <<JSON
{ "sources": [ { "name": "berlin", "connector": "csv", "layout": "auto",
                 "path": "$ROOT/examples/exports/act_berlin.txt" } ] }
JSON
check_eq "layout auto maps the file with the detected layout" \
    "$("$CRMERGE" extract -c "$tmpdir/auto.json" 2>/dev/null | wc -l)" 4
cat >"$tmpdir/auto_bad.json" <<JSON
{ "sources": [ { "name": "stock", "connector": "csv", "layout": "auto", "path": "stock.csv" } ] }
JSON
check_exit "layout auto on an unknown file is a config error" 3 "$CRMERGE" extract -c "$tmpdir/auto_bad.json"
check_last "that names the source, the file and the verdict" \
    'sources\[0\]\.layout: auto: .*stock.csv is unknown \(nearest: .*\); name the layout'

check_grep "a Siebel XML export is detected by its root element" \
    '^tests/fixtures/siebel/contacts.xml: siebel_xml \(siebel_xml connector, 1.00, by root element SiebelMessage\)$' \
    "$CRMERGE" detect tests/fixtures/siebel/contacts.xml
printf '<?xml version="1.0"?>\n<!-- exported -->\n<SiebelMessage><ListOfContact><Contact><Id>1</Id><</Contact>' \
    >"$tmpdir/cut.xml"
check_grep "an XML file broken before its first record is still told by its root element" \
    'cut.xml: siebel_xml \(siebel_xml connector, 1.00, by root element SiebelMessage\)$' \
    "$CRMERGE" detect "$tmpdir/cut.xml"
check_grep "a GoldMine table directory is detected as goldmine" \
    '^tests/fixtures/goldmine/sql: goldmine \(goldmine connector' \
    "$CRMERGE" detect tests/fixtures/goldmine/sql

check_eq "extract --layout auto picks the reader too: Siebel XML, a GoldMine directory, ACT!" \
    "$("$CRMERGE" extract --layout auto tests/fixtures/siebel/contacts.xml tests/fixtures/goldmine/sql \
        examples/exports/act_berlin.txt 2>/dev/null | wc -l)" 11
cat >"$tmpdir/auto_conn.json" <<JSON
{ "reject_rate_max": 1,
  "sources": [ { "name": "gm", "connector": "auto", "layout": "auto",
                 "path": "$ROOT/tests/fixtures/goldmine/sql" } ] }
JSON
check_eq "a config source with connector and layout auto is read by the detected reader" \
    "$("$CRMERGE" extract -c "$tmpdir/auto_conn.json" 2>/dev/null | wc -l)" 4
cat >"$tmpdir/mismatch.json" <<JSON
{ "sources": [ { "name": "gm", "connector": "csv", "layout": "goldmine",
                 "path": "$ROOT/tests/fixtures/goldmine/sql" } ] }
JSON
check_exit "a layout written for another connector is a config error" 3 \
    "$CRMERGE" extract -c "$tmpdir/mismatch.json"
check_last "that names both connectors" \
    'sources\[0\].layout: goldmine is a layout for the goldmine connector, not csv'

cat >"$tmpdir/auto_dbf.json" <<JSON
{ "sources": [ { "name": "act6", "connector": "dbf", "layout": "auto",
                 "path": "$ROOT/tests/fixtures/dbf/act6.dbf" } ] }
JSON
check_eq "layout auto on a dBase table maps its live records" \
    "$("$CRMERGE" extract -c "$tmpdir/auto_dbf.json" 2>/dev/null | wc -l)" 4

check_grep "a .vcf with a title line before its first card is still a vCard file" \
    '^tests/fixtures/vcard/junk.vcf: vcard \(vcard connector, 1.00, by BEGIN:VCARD\)$' \
    "$CRMERGE" detect tests/fixtures/vcard/junk.vcf
check_grep "check names the reader and layout detection picked" \
    '^source gm: goldmine connector, layout goldmine \(detected\): CONTACT1.csv' \
    "$CRMERGE" check -c "$tmpdir/auto_conn.json"
