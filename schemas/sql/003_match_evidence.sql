-- 003_match_evidence.sql — why records are one customer, and the pairs a person should
-- look at. Both tables are keyed by the pair of source records, ordered so that
-- (source_a, key_a) < (source_b, key_b) byte-wise (COLLATE "C": the same order whatever
-- the database's collation); publish writes them in the same transaction as the
-- customer view, so a failed run leaves yesterday's evidence with yesterday's view.
-- Citus seam: the primary keys start with source_a (the raw side's distribution key).
-- No foreign keys to source_record, as in 001: publish keeps them consistent.

-- One row per pair the resolver decided in the run that last published it: accepted
-- pairs ('match') and pairs between the match and review thresholds ('review'). Only
-- the pairs the resolver reports are stored: it reports enough of them to join each
-- cluster (a chain a-b, b-c, not also a-c), so a customer of n records has at least
-- n - 1 rows. A pair is replaced when both its records are in a later run; it is
-- removed when that run decides it no longer, or when one of its records is deleted.
CREATE TABLE match_evidence (
    source_a     text NOT NULL,
    key_a        text NOT NULL,
    source_b     text NOT NULL,
    key_b        text NOT NULL,
    weight       double precision NOT NULL,
    probability  double precision NOT NULL,
    decision     text NOT NULL CHECK (decision IN ('match', 'review')),
    rule         text,                      -- the hard rule or override that decided
    evidence     jsonb NOT NULL DEFAULT '[]',
    run_id       bigint NOT NULL,           -- the run that decided it so
    PRIMARY KEY (source_a, key_a, source_b, key_b),
    CHECK ((source_a COLLATE "C", key_a COLLATE "C") < (source_b, key_b))
);

COMMENT ON TABLE match_evidence IS
    'One row per pair of source records the resolver decided: the same customer (match) '
    'or one for a person to look at (review), with the weights that decided it.';
COMMENT ON COLUMN match_evidence.source_a IS
    'source of the first record of the pair (the pair is ordered: (source_a, key_a) < (source_b, key_b), byte-wise)';
COMMENT ON COLUMN match_evidence.key_a IS 'source key of the first record (source_record.source_key)';
COMMENT ON COLUMN match_evidence.source_b IS 'source of the second record';
COMMENT ON COLUMN match_evidence.key_b IS 'source key of the second record';
COMMENT ON COLUMN match_evidence.weight IS
    'total match weight: log2 of the Bayes factor, prior included';
COMMENT ON COLUMN match_evidence.probability IS 'match probability from the weight';
COMMENT ON COLUMN match_evidence.decision IS
    'match: the two records are one customer; review: between the thresholds, also in review_queue';
COMMENT ON COLUMN match_evidence.rule IS
    'the hard rule or override that decided (same e-mail, same source key, ...); NULL when the weights did';
COMMENT ON COLUMN match_evidence.evidence IS
    'what each comparison found (its level and weight): a JSON array; [] when a hard rule decided';
COMMENT ON COLUMN match_evidence.run_id IS
    'the run that decided the pair as it stands; later runs that decide it the same keep it';

-- The pairs a person should decide, as long as the resolver keeps finding them between
-- the thresholds. Rows whose status a person changed are never touched by a run.
CREATE TABLE review_queue (
    source_a     text NOT NULL,
    key_a        text NOT NULL,
    source_b     text NOT NULL,
    key_b        text NOT NULL,
    weight       double precision NOT NULL,
    probability  double precision NOT NULL,
    evidence     jsonb NOT NULL DEFAULT '[]',
    first_run    bigint NOT NULL,           -- the run that first sent it to review
    last_run     bigint NOT NULL,           -- the last run that found it in review, while open
    status       text NOT NULL DEFAULT 'open',
    PRIMARY KEY (source_a, key_a, source_b, key_b),
    CHECK ((source_a COLLATE "C", key_a COLLATE "C") < (source_b, key_b))
);

COMMENT ON TABLE review_queue IS
    'Pairs of source records between the match and review thresholds, for a person to decide. '
    'A run adds the pairs it sends to review and removes open pairs it no longer does.';
COMMENT ON COLUMN review_queue.source_a IS
    'source of the first record of the pair (ordered as in match_evidence)';
COMMENT ON COLUMN review_queue.key_a IS 'source key of the first record';
COMMENT ON COLUMN review_queue.source_b IS 'source of the second record';
COMMENT ON COLUMN review_queue.key_b IS 'source key of the second record';
COMMENT ON COLUMN review_queue.weight IS 'total match weight the last run gave the pair';
COMMENT ON COLUMN review_queue.probability IS 'match probability the last run gave the pair';
COMMENT ON COLUMN review_queue.evidence IS
    'what each comparison found (its level and weight): a JSON array';
COMMENT ON COLUMN review_queue.first_run IS 'the run that first sent the pair to review';
COMMENT ON COLUMN review_queue.last_run IS
    'the last run that sent the pair to review (no longer updated once a person decided)';
COMMENT ON COLUMN review_queue.status IS
    'open: waiting for a person (runs update and remove open rows); any other value is a '
    'person''s decision, which runs leave alone';
