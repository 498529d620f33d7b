-- Media library: uploaded images and videos. The files live in the object store under
-- `storage_key`; this table holds what was learnt from them at upload and what people
-- set afterwards (tags, the focal point crops centre on).

CREATE TABLE media (
    id             INTEGER PRIMARY KEY,
    workspace_id   INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    kind           TEXT    NOT NULL,
    mime           TEXT    NOT NULL,
    bytes          INTEGER NOT NULL,
    width          INTEGER,
    height         INTEGER,
    original_name  TEXT    NOT NULL,
    storage_key    TEXT    NOT NULL UNIQUE,
    focal_x        REAL    NOT NULL DEFAULT 0.5,
    focal_y        REAL    NOT NULL DEFAULT 0.5,
    created_by     INTEGER NOT NULL REFERENCES users (id),
    created_at     INTEGER NOT NULL
);
CREATE INDEX media_workspace ON media (workspace_id, id);

-- One row per tag so that filtering by tag is a plain indexed join on both backends.
CREATE TABLE media_tags (
    media_id  INTEGER NOT NULL REFERENCES media (id) ON DELETE CASCADE,
    tag       TEXT    NOT NULL,
    PRIMARY KEY (media_id, tag)
);
CREATE INDEX media_tags_tag ON media_tags (tag);
