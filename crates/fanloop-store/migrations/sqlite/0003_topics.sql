-- 选题库: topics with source, scores, status, owner and target date; per-workspace
-- score weights.

CREATE TABLE topics (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    title         TEXT    NOT NULL,
    angle         TEXT    NOT NULL,
    source        TEXT    NOT NULL,
    timeliness    INTEGER NOT NULL,
    value         INTEGER NOT NULL,
    conversion    INTEGER NOT NULL,
    status        TEXT    NOT NULL,
    owner_id      INTEGER REFERENCES users (id),
    target_date   TEXT,
    created_by    INTEGER NOT NULL REFERENCES users (id),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX topics_workspace ON topics (workspace_id, status);

CREATE TABLE topic_weights (
    workspace_id  INTEGER PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    timeliness    INTEGER NOT NULL,
    value         INTEGER NOT NULL,
    conversion    INTEGER NOT NULL
);
