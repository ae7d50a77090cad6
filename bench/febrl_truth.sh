#!/bin/sh
# bench/febrl_truth.sh FILE > truth.csv — the ground truth of a Febrl data set
# (dataset1.csv ...) in the form `crmerge eval --truth` reads: source,source_key,person_id.
#
# The source is the file's base name without its extension (dataset1), as
# `crmerge resolve --layout febrl FILE` names it; the source key is the rec_id as written
# (rec-223-org, rec-712-dup-0); the person is the N of rec-N-...: an original and its
# duplicates are one person.
set -eu
f=${1:?usage: bench/febrl_truth.sh FILE > truth.csv}
src=$(basename "$f")
src=${src%.*}
awk -F',' -v src="$src" '
    BEGIN { print "source,source_key,person_id" }
    NR == 1 { next }                                   # the header
    {
        id = $1
        gsub(/^[ \t]+|[ \t\r]+$/, "", id)
        if (id !~ /^rec-[0-9]+-/) {
            printf "febrl_truth: %s:%d: not a Febrl rec_id: %s\n", FILENAME, NR, id > "/dev/stderr"
            bad = 1
            next
        }
        n = id
        sub(/^rec-/, "", n)
        sub(/-.*/, "", n)
        print src "," id "," n
    }
    END { exit bad }' "$f"
