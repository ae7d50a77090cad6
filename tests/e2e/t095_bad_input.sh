#!/usr/bin/env bash
# Bad input in a real run: a 100 MB field in a CSV and in a Siebel XML export, a file with
# mixed encodings and NUL bytes.
# Each bad record is rejected with file, line and reason and kept (cut) in
# rejected_record; the good records around it are published; nothing is read whole
# into memory.
. "$(dirname "$0")/lib.sh"

# an ACT! export whose third line holds a 100 MB Notes field
python3 - "$tmpdir/big.csv" <<'PY'
import sys
with open(sys.argv[1], 'wb') as f:
    f.write(b'"Company","Contact","E-mail","Notes"\r\n')
    f.write(b'"Alpha","Ann Before","ann@alpha.example","short"\r\n')
    f.write(b'"Beta","Bob Big","bob@beta.example","' + b'A' * (100 << 20) + b'"\r\n')
    f.write(b'"Gamma","Cy After","cy@gamma.example","short"\r\n')
PY
# a Siebel XML export whose second contact holds a 100 MB comment
python3 - "$tmpdir/big.xml" <<'PY'
import sys
with open(sys.argv[1], 'wb') as f:
    f.write(b'<?xml version="1.0"?>\n<SiebelMessage IntObjectName="Contact">\n<ListOfContact>\n')
    f.write(b'<Contact>\n<Id>1-A</Id>\n<LastName>Before</LastName>\n</Contact>\n')
    f.write(b'<Contact>\n<Id>1-B</Id>\n<Comment>' + b'A' * (100 << 20) + b'</Comment>\n</Contact>\n')
    f.write(b'<Contact>\n<Id>1-C</Id>\n<LastName>After</LastName>\n</Contact>\n')
    f.write(b'</ListOfContact>\n</SiebelMessage>\n')
PY
# UTF-8 with one Windows-1252 line and one line with a NUL byte
printf '"Company","Contact","E-mail"\r\n"Köln AG","José Ñúñez","jose@koeln.example"\r\n"Dupont","Ren\xe9 Dupont","rene@dupont.example"\r\n"Nul","Nu\x00ll Byte","nul@nul.example"\r\n"Zürich","Zoë Zürcher","zoe@zh.example"\r\n' \
    >"$tmpdir/mixed.csv"

cat >"$tmpdir/bad.json" <<JSON
{ "reject_rate_max": 1,
  "sources": [
    { "name": "big", "connector": "csv", "layout": "act", "path": "$tmpdir/big.csv" },
    { "name": "mixed", "connector": "csv", "layout": "act", "path": "$tmpdir/mixed.csv" },
    { "name": "bigxml", "connector": "siebel_xml", "layout": "siebel_xml", "path": "$tmpdir/big.xml" } ] }
JSON

/usr/bin/time -f '%M' -o "$tmpdir/rss" "$CRMERGE" run -c "$tmpdir/bad.json" >"$tmpdir/run.out" 2>&1
check_eq "the run succeeds" "$?" 0
rss_kb=$(cat "$tmpdir/rss")
check "the 100 MB fields are not read into memory (peak RSS ${rss_kb} KB < 64 MB)" \
    test "$rss_kb" -lt 65536
check_eq "the good records around the bad ones are published" \
    "$(psql_q "SELECT string_agg(coalesce(canonical->>'full_name', canonical->>'family_name'), ', '
                                 ORDER BY coalesce(canonical->>'full_name', canonical->>'family_name'))
               FROM crm.source_record")" \
    "After, Ann Before, Before, Cy After, José Ñúñez, Zoë Zürcher"
check_eq "each bad record is rejected with file, line and reason" \
    "$(psql_q "SELECT string_agg(regexp_replace(location, '^.*/', '') || ' ' || reason, E'\n'
                                 ORDER BY location) FROM crm.rejected_record")" \
    "big.csv:3 field 4 (Notes) exceeds max_field_bytes (1048576)
big.xml:8-11 <Comment> over max_record_bytes (4194304 bytes of text and field names)
mixed.csv:3 invalid utf-8 in field 2 (Contact) at byte offset 3
mixed.csv:4 NUL byte in field 2 (Contact)"
check_eq "the rejected 100 MB record is kept cut, beginning with its own bytes" \
    "$(psql_q "SELECT length(raw) <= 4096, left(raw, 24) FROM crm.rejected_record
               WHERE location LIKE '%big.csv:3'")" 't|"Beta","Bob Big","bob@be'
check_eq "the undecodable byte is kept readable in the rejected text" \
    "$(psql_q "SELECT raw FROM crm.rejected_record WHERE location LIKE '%mixed.csv:3'")" \
    '"Dupont","Ren\xe9 Dupont","rene@dupont.example"'
