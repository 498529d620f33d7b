-- 短视频脚本: scripts with their ordered shot lists; and each workspace's word lists
-- (banned words, preferred replacements) with the industry packs it enables.

CREATE TABLE scripts (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    title         TEXT    NOT NULL,
    post_id       INTEGER REFERENCES posts (id) ON DELETE SET NULL,
    created_by    INTEGER NOT NULL REFERENCES users (id),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX scripts_workspace ON scripts (workspace_id);

-- Shots are rewritten as a whole when a script is saved; `position` keeps their order.
CREATE TABLE script_shots (
    script_id       INTEGER NOT NULL REFERENCES scripts (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    scene           TEXT    NOT NULL,
    size            TEXT    NOT NULL,
    duration_ms     INTEGER NOT NULL,
    voice_over      TEXT    NOT NULL,
    on_screen_text  TEXT    NOT NULL,
    PRIMARY KEY (script_id, position)
);

-- `version` changes (to a fresh random value) on every save, so an instance can tell
-- whether the linter it cached for the workspace is still current with one cheap read.
CREATE TABLE word_lists (
    workspace_id  INTEGER PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    banned        TEXT    NOT NULL,
    preferred     TEXT    NOT NULL,
    packs         TEXT    NOT NULL,
    version       TEXT    NOT NULL,
    updated_by    INTEGER REFERENCES users (id),
    updated_at    INTEGER NOT NULL
);
