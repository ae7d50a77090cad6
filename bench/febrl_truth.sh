#!/bin/sh
# febrl_truth.sh FILE... > truth.csv — the truth of Febrl data sets for `crmerge eval`:
# source,source_key,person_id, where source is the file's base name without its
# extension (the source name `crmerge resolve --layout febrl FILE...` gives it),
# source_key the rec_id, and person_id the N of rec-N-org / rec-N-dup-K.
[ $# -gt 0 ] || { echo "usage: bench/febrl_truth.sh FILE... > truth.csv" >&2; exit 2; }
echo "source,source_key,person_id"
for f in "$@"; do
    src=$(basename "$f")
    src=${src%%.*}
    awk -F', *' -v src="$src" 'FNR > 1 && $1 != "" { split($1, p, "-"); print src "," $1 "," p[2] }' "$f" || exit 1
done
