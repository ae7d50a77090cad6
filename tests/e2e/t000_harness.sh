#!/usr/bin/env bash
# The harness itself: the private server answers, psql_q returns bare values, and this
# script has its own database.
. "$(dirname "$0")/lib.sh"

got=$(psql_q "SELECT 1 + 1 || '/' || current_database()" 2>&1)
check_eq "server answers through psql_q in the script's own database" "$got" "2/e2e_$T_NAME"
