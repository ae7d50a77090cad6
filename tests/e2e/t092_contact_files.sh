#!/usr/bin/env bash
# vCard, Outlook and Google Contacts exports in one run: each read by its connector and
# layout, the same person in two exports one customer, a broken card rejected with its
# file and lines, and a rerun that changes nothing (derived keys are stable).
. "$(dirname "$0")/lib.sh"

fx=$ROOT/tests/fixtures
cat >"$tmpdir/contacts.json" <<JSON
{ "sources": [
    { "name": "outlook_vcf", "connector": "vcard", "layout": "vcard",
      "path": "$fx/vcard/outlook21.vcf" },
    { "name": "phone_vcf", "connector": "vcard", "layout": "auto",
      "path": "$fx/vcard/no_end.vcf" },
    { "name": "outlook_csv", "connector": "csv", "layout": "outlook",
      "path": "$fx/outlook/outlook_classic.csv" },
    { "name": "google_csv", "connector": "csv", "layout": "auto",
      "path": "$fx/google/google_contacts.csv" } ],
  "reject_rate_max": 0.5 }
JSON

check "the run succeeds" "$CRMERGE" run -c "$tmpdir/contacts.json"
check_eq "every readable record is published" \
    "$(psql_q "SELECT string_agg(source || '=' || n, ' ' ORDER BY source) FROM
               (SELECT source, count(*) n FROM crm.source_record GROUP BY source) s")" \
    "google_csv=3 outlook_csv=3 outlook_vcf=2 phone_vcf=1"
check_eq "Jürgen Müller from the vCard and the Outlook CSV is one customer" \
    "$(psql_q "SELECT count(DISTINCT x.customer_id) || '/' || count(*) FROM crm.crosswalk x
               JOIN crm.source_record r USING (source, source_key)
               WHERE r.canonical->>'family_name' = 'Müller'")" "1/2"
check_eq "the vCard's windows-1252 quoted-printable note arrives as UTF-8" \
    "$(psql_q "SELECT canonical->'extra'->>'NOTE' FROM crm.source_record
               WHERE source = 'outlook_vcf' AND canonical->>'family_name' = 'Müller'")" \
    "$(printf 'Kunde seit 2009.\r\nZahlt € bar, bitte nicht vor 9 Uhr anrufen.')"
check_eq "the Exchange DN is no e-mail" \
    "$(psql_q "SELECT jsonb_array_length(canonical->'emails') || ' ' ||
               (canonical->'extra'->>'E-mail Type') FROM crm.source_record
               WHERE source = 'outlook_csv' AND canonical->>'family_name' = 'Øster'")" "0 EX"
check_eq "the two cards without END:VCARD are rejected with file, lines and reason" \
    "$(psql_q "SELECT string_agg(location || ' ' || reason, ' | ' ORDER BY location)
               FROM crm.rejected_record")" \
    "$fx/vcard/no_end.vcf:1-4 no END:VCARD before the BEGIN:VCARD at line 5 | $fx/vcard/no_end.vcf:10-12 no END:VCARD before the end of the file"
check_grep "a rerun on the same input says nothing changed" \
    'nothing changed since the last run' "$CRMERGE" run -c "$tmpdir/contacts.json"
