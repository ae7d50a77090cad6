#!/usr/bin/env bash
# Match evidence and review queue: the publish functions themselves, with match and
# review pairs (tests/unit/test_pg_publish.c, run here against the database).
. "$(dirname "$0")/lib.sh"

if [ -x build/tests/test_pg_publish ]; then
    CRMERGE_TEST_PG=1 check_grep "the publish functions keep evidence and review queue right" \
        '^RESULT [1-9][0-9]* 0$' build/tests/test_pg_publish
else
    not_ok "the publish functions keep evidence and review queue right" \
        "build/tests/test_pg_publish is not built (make tools)"
fi
