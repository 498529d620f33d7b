-- The workspace's own dates for the hot-spot calendar (launches, anniversaries).

CREATE TABLE calendar_events (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    date          TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    lead_days     INTEGER NOT NULL,
    yearly        INTEGER NOT NULL,
    created_by    INTEGER NOT NULL REFERENCES users (id),
    created_at    INTEGER NOT NULL
);
CREATE INDEX calendar_events_workspace ON calendar_events (workspace_id);
