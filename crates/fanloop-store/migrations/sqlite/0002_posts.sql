-- Content and review: posts with a master and one variant per channel, their version
-- history, approvals per version, the review log, and each workspace's approval rules.

CREATE TABLE approval_rules (
    workspace_id        INTEGER PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    required_approvals  INTEGER NOT NULL,
    author_may_approve  INTEGER NOT NULL,
    lint_errors_block   INTEGER NOT NULL,
    approver_roles      TEXT    NOT NULL,
    updated_at          INTEGER NOT NULL
);

CREATE TABLE posts (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    author_id     INTEGER NOT NULL REFERENCES users (id),
    title         TEXT    NOT NULL,
    body          TEXT    NOT NULL,
    tags          TEXT    NOT NULL,
    topic_id      INTEGER,
    status        TEXT    NOT NULL,
    version       INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX posts_workspace ON posts (workspace_id, updated_at);

CREATE TABLE post_variants (
    id          INTEGER PRIMARY KEY,
    post_id     INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    channel_id  INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    title       TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    tags        TEXT    NOT NULL,
    customized  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (post_id, channel_id)
);

CREATE TABLE post_versions (
    post_id     INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,
    title       TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    author_id   INTEGER NOT NULL REFERENCES users (id),
    at          INTEGER NOT NULL,
    PRIMARY KEY (post_id, version)
);

CREATE TABLE post_approvals (
    post_id   INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    version   INTEGER NOT NULL,
    user_id   INTEGER NOT NULL REFERENCES users (id),
    at        INTEGER NOT NULL,
    PRIMARY KEY (post_id, version, user_id)
);

CREATE TABLE review_log (
    id           INTEGER PRIMARY KEY,
    post_id      INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    actor_id     INTEGER NOT NULL REFERENCES users (id),
    action       TEXT    NOT NULL,
    from_status  TEXT    NOT NULL,
    to_status    TEXT    NOT NULL,
    version      INTEGER NOT NULL,
    note         TEXT    NOT NULL,
    at           INTEGER NOT NULL
);
CREATE INDEX review_log_post ON review_log (post_id, id);
