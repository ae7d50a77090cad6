-- 001_customer_view.sql — the first customer-view schema.
-- Applied by crmerge itself (at the start of `crmerge run`, under the run lock) inside the
-- configured schema: names here are unqualified, search_path points at the schema.
-- Citus seam: each table keeps its distribution key in its primary key
-- (source for the raw side, customer_id for the customer side).
-- No foreign keys on the bulk tables: crmerge's publish is their only writer and keeps
-- them consistent set by set; per-row FK triggers would dominate a million-row load
-- (see the benchmark figures in README.md), and FKs between
-- distributed tables need colocation under Citus. Run ids are lineage, not references.

CREATE TABLE run (
    run_id      bigserial PRIMARY KEY,
    started     timestamptz NOT NULL DEFAULT now(),
    finished    timestamptz,
    status      text NOT NULL DEFAULT 'running'
                CHECK (status IN ('running', 'succeeded', 'failed', 'rejected', 'abandoned')),
    config      text,
    summary     jsonb NOT NULL DEFAULT '{}'
);

-- One row per record a source ever delivered: the canonical contact as JSON, its
-- content hash (change detection between runs) and lineage.
CREATE TABLE source_record (
    source          text NOT NULL,
    source_key      text NOT NULL,
    key_derived     boolean NOT NULL DEFAULT false,
    content_hash    text NOT NULL,
    canonical       jsonb NOT NULL,
    location        text,                  -- file:line where it was last read
    first_seen_run  bigint NOT NULL,
    last_seen_run   bigint NOT NULL,
    changed_run     bigint NOT NULL,       -- last run that found it new or changed
    deleted_run     bigint,                -- gone from its source since this run
    PRIMARY KEY (source, source_key)
);

-- canonical out of line: a nightly run that only marks records as seen rewrites
-- short tuples (measured at 1M records: that UPDATE 25 s -> 18 s, first insert 10 s -> 8.5 s)
ALTER TABLE source_record SET (toast_tuple_target = 128);

-- The single customer view: one golden record per customer.
CREATE TABLE customer (
    customer_id   bigint PRIMARY KEY,
    display_name  text,
    given_name    text,
    family_name   text,
    company       text,
    email         text,
    phone         text,
    city          text,
    country       text,
    record_count  integer NOT NULL,
    created_run   bigint NOT NULL,
    updated_run   bigint NOT NULL,
    retired_run   bigint                  -- no source record left since this run
);
CREATE SEQUENCE customer_id_seq OWNED BY customer.customer_id;

-- Which customer each source record belongs to.
CREATE TABLE crosswalk (
    source        text NOT NULL,
    source_key    text NOT NULL,
    customer_id   bigint NOT NULL,
    assigned_run  bigint NOT NULL,
    PRIMARY KEY (source, source_key)
);
CREATE INDEX crosswalk_customer_idx ON crosswalk (customer_id);

-- Every record a run could not read, with where it was and why.
CREATE TABLE rejected_record (
    run_id    bigint NOT NULL REFERENCES run (run_id),
    seq       integer NOT NULL,
    source    text NOT NULL,
    location  text NOT NULL,
    reason    text NOT NULL,
    raw       text,
    PRIMARY KEY (run_id, seq)
);
