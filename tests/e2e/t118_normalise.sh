#!/usr/bin/env bash
# `crmerge normalise` shows the match profile of each record next to its source key:
# one person's records from two CRMs (umlauts vs. transliteration, "Last, First", legal
# form spelt two ways, phone national vs. international) give the same keys; a source's
# default_country reads national numbers; bad values are flagged and counted on stderr.
. "$(dirname "$0")/lib.sh"

printf '%s\r\n' \
  '"Contact ID","Company","First Name","Last Name","E-mail","Phone","Address 1","City","ZIP Code","Country"' \
  '"A1","Müller GmbH & Co. KG","Jürgen","Müller","Juergen.Mueller@Example.DE","030 1234567","Hauptstraße 12a","München","80331",""' \
  '"A2","ACME, Inc.","Bob","Smith","info@acme.example","4.91701E+11","12 Main St.","Springfield","2134","USA"' \
  '"A3","---","Ann2","","ann@@x.de","call me","","","",""' >"$tmpdir/act.csv"
printf '%s\r\n' \
  '"Contact ID","Company","Contact","E-mail","Phone"' \
  '"G7","MUELLER GMBH & CO KG","MUELLER, JUERGEN","juergen.mueller@example.de","+49 (0)30 1234567"' >"$tmpdir/gm.csv"
cat >"$tmpdir/n.json" <<JSON
{ "sources": [ { "name": "act", "connector": "csv", "layout": "act", "path": "act.csv",
                 "default_country": "Deutschland" },
               { "name": "gm", "connector": "csv", "layout": "act", "path": "gm.csv" } ] }
JSON
"$CRMERGE" normalise -c "$tmpdir/n.json" >"$tmpdir/out.jsonl" 2>"$tmpdir/err"
check_eq "exit 0, one JSON line per record" "$? $(wc -l <"$tmpdir/out.jsonl")" "0 4"
key() {  # key SOURCE_KEY JQ-ISH-PATH: a profile value (python, no jq on every machine)
    python3 -c '
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["source_key"] == sys.argv[2]:
        v = r["profile"]
        for k in sys.argv[3].split("."):
            v = v[int(k)] if isinstance(v, list) else v.get(k)
            if v is None: break
        print(v if not isinstance(v, (dict, list)) else json.dumps(v, sort_keys=True))' \
        "$tmpdir/out.jsonl" "$@"
}
for k in given family company legal_form emails.0.email phones.0.e164; do
    check_eq "A1 and G7 share $k" "$(key A1 $k)" "$(key G7 $k)"
done
check_eq "what they share" "$(key A1 given) $(key A1 family_plain) $(key A1 company) / $(key A1 legal_form) $(key A1 phones.0.e164)" \
    "juergen muller mueller / gmbh & co kg +49301234567"
check_eq "A1's address: street split, city folded, country from the source default" \
    "$(key A1 street)|$(key A1 house_number)|$(key A1 postal_code)|$(key A1 city)|$(key A1 country)" \
    "hauptstrasse|12a|80331|muenchen|DE"
check_eq "Bob is a Robert, info@ is a role address, the ZIP's lost zero restored" \
    "$(key A2 given_canonical) $(key A2 emails.0.role) $(key A2 postal_code) $(key A2 flags)" \
    '["robert"] True 02134 ["postal_zero_restored"]'
check_eq "the Excel-mangled phone gives no number" "$(key A2 phones)" "None"
check_eq "A3's odd name is flagged, the bad e-mail and phone left out" \
    "$(key A3 flags) $(key A3 emails) $(key A3 phones)" '["name_odd"] None None'
check_grep "stderr counts the warnings" \
    '1 phones mangled by Excel.*|1 invalid e-mails' cat "$tmpdir/err"
check_grep "normalise --layout FILE works too" '"source_key":"G7"' \
    "$CRMERGE" normalise --layout act "$tmpdir/gm.csv"
check_exit "an unknown source is a usage error" 2 \
    "$CRMERGE" normalise -c "$tmpdir/n.json" --source nope
sed 's/"Deutschland"/"Neverland"/' "$tmpdir/n.json" >"$tmpdir/bad.json"
check_exit "an unknown default_country is a config error" 3 "$CRMERGE" normalise -c "$tmpdir/bad.json"
cp "$tmpdir/last.out" "$tmpdir/bad.out"
check_grep "... naming the key and the value" 'sources\[0\]\.default_country: unknown country "Neverland"' \
    cat "$tmpdir/bad.out"
