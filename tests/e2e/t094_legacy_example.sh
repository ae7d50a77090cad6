#!/usr/bin/env bash
# examples/legacy.json, as a new user runs it: a directory of GoldMine tables, a Siebel XML
# export and an Outlook CSV into one customer view, every unreadable record accounted for.
. "$(dirname "$0")/lib.sh"

check "the legacy example runs" "$CRMERGE" run -c examples/legacy.json
check_eq "its records per source" \
    "$(psql_q "SELECT string_agg(source || '=' || n, ' ' ORDER BY source)
               FROM (SELECT source, count(*) n FROM crm_legacy.source_record GROUP BY source) s")" \
    "goldmine=4 outlook=3 siebel=3"
check_eq "ten customers, each with its crosswalk rows" \
    "$(psql_q "SELECT count(DISTINCT customer_id) || '/' || count(*) FROM crm_legacy.crosswalk")" "10/10"
check_eq "the three bad GoldMine rows are in rejected_record" \
    "$(psql_q "SELECT count(*) FROM crm_legacy.rejected_record WHERE source = 'goldmine'")" 3
check_eq "the Exchange DNs (E-mail Type EX) are kept in extra, not taken as e-mails" \
    "$(psql_q "SELECT string_agg(canonical->>'given_name' || ':' || jsonb_array_length(canonical->'emails')
                                 || ':' || left(coalesce(canonical->'extra'->>'E-mail Address',
                                                         canonical->'extra'->>'E-mail 2 Address'), 15),
                                 ' ' ORDER BY canonical->>'given_name')
               FROM crm_legacy.source_record WHERE source = 'outlook'
                 AND canonical->'extra' ?| array['E-mail Address', 'E-mail 2 Address']")" \
    "Ingrid:0:/o=ExchangeLabs Jürgen:1:/o=ExchangeLabs"
