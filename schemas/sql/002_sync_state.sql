-- 002_sync_state.sql — where each incremental source (a web API) starts next time.
-- A source's bookmark (the newest modification time or change cursor its connector
-- saw) is written in the same transaction as the records it delivered: a run that
-- publishes nothing leaves the old bookmark, and the next run starts from there.
-- `crmerge run --full` reads every source whole and writes a new bookmark.

CREATE TABLE sync_state (
    source         text PRIMARY KEY,
    bookmark       text NOT NULL,
    updated_run    bigint NOT NULL,          -- the run that wrote this bookmark
    full_run       bigint,                   -- the last run that read the source whole
    updated_at     timestamptz NOT NULL DEFAULT now()
);
