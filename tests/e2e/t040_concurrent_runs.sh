#!/usr/bin/env bash
# One run at a time per target schema: a second run waits for the first, or fails
# clearly after target.lock_wait_seconds; a run that died is marked abandoned.
. "$(dirname "$0")/lib.sh"

H='"Contact ID","Company","First Name","Last Name","E-mail"'
{ printf '%s\r\n' "$H"
  for i in $(seq 1 2000); do
      printf '"C%d","Co %d","Given%d","Family%d","p%d@example.com"\r\n' "$i" $((i % 50)) "$i" "$i" $((i % 1500))
  done; } >"$tmpdir/act.csv"
cat >"$tmpdir/pipeline.json" <<JSON
{ "target": { "schema": "crm", "lock_wait_seconds": 60 },
  "match": { "method": "exact", "_comment": "locking is tested here: shared e-mails make the customers" },
  "sources": [ { "name": "act", "connector": "csv", "layout": "act", "path": "act.csv" } ] }
JSON
sed 's/"lock_wait_seconds": 60/"lock_wait_seconds": 1/' "$tmpdir/pipeline.json" >"$tmpdir/nowait.json"

# hold the run lock from another session, as a running crmerge would
psql_q "SELECT pg_advisory_lock(hashtext('crmerge:crm')), pg_sleep(4)" >/dev/null &
holder=$!
for _ in $(seq 50); do
    [ "$(psql_q "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")" = 1 ] && break
    sleep 0.1
done
check_exit "a run that cannot get the lock within lock_wait_seconds exits 7" 7 \
    "$CRMERGE" run -c "$tmpdir/nowait.json"
check_last "it says another run holds the lock" \
    'another crmerge run holds the lock on schema "crm" \(waited 1 s; target.lock_wait_seconds\)'
check "a run with time to wait gets the lock when the holder ends" \
    "$CRMERGE" run -c "$tmpdir/pipeline.json"
wait "$holder"

# two real runs at once on changed input: both succeed, one after the other
sed -i 's/"Co 7"/"Company Seven"/' "$tmpdir/act.csv"
"$CRMERGE" run -c "$tmpdir/pipeline.json" >"$tmpdir/a.out" 2>&1 & a=$!
"$CRMERGE" run -c "$tmpdir/pipeline.json" >"$tmpdir/b.out" 2>&1 & b=$!
wait "$a"; ra=$?
wait "$b"; rb=$?
check_eq "two concurrent runs both succeed" "$ra/$rb" "0/0"
check_eq "exactly one of them published the change, the other found nothing to do" \
    "$(cat "$tmpdir/a.out" "$tmpdir/b.out" | grep -c 'nothing changed since the last run')" 1
check_eq "runs never overlapped" \
    "$(psql_q "SELECT count(*) FROM crm.run a JOIN crm.run b ON a.run_id < b.run_id
               AND b.started < a.finished AND a.status = 'succeeded' AND b.status = 'succeeded'")" 0
check_eq "the view is whole: 1500 customers for 2000 records" \
    "$(psql_q "SELECT count(*) || '/' || sum(record_count) FROM crm.customer WHERE retired_run IS NULL")" "1500/2000"

# a run whose process died leaves its run row 'running': the next run marks it abandoned
psql_q "INSERT INTO crm.run (status) VALUES ('running')" >/dev/null
check "a run after a crashed one succeeds" "$CRMERGE" run -c "$tmpdir/pipeline.json"
check_eq "the crashed run is marked abandoned" \
    "$(psql_q "SELECT count(*) FROM crm.run WHERE status = 'abandoned'")" 1
