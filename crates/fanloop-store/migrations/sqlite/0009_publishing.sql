-- Publishing: publications (a variant on a channel at a time), the durable job queue
-- with leases, quota counters shared by every instance, channel tokens and health,
-- weekly queue slots, notifications and their delivery targets, engagement samples
-- (golden time, sandbox) and de-duplicated platform callbacks.

CREATE TABLE publications (
    id                INTEGER PRIMARY KEY,
    workspace_id      INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    post_id           INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    channel_id        INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    post_version      INTEGER NOT NULL,
    status            TEXT    NOT NULL,
    scheduled_at      INTEGER NOT NULL,
    idem_key          TEXT    NOT NULL UNIQUE,
    attempts          INTEGER NOT NULL,
    first_attempt_at  INTEGER,
    published_at      INTEGER,
    remote_id         TEXT,
    remote_url        TEXT,
    late              INTEGER NOT NULL,
    reason            TEXT,
    last_error        TEXT,
    created_by        INTEGER REFERENCES users (id),
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);
CREATE INDEX publications_workspace ON publications (workspace_id, scheduled_at);
CREATE INDEX publications_post ON publications (post_id);
CREATE INDEX publications_channel ON publications (channel_id, scheduled_at);

CREATE TABLE jobs (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL,
    publication_id  INTEGER NOT NULL REFERENCES publications (id) ON DELETE CASCADE,
    run_at          INTEGER NOT NULL,
    attempts        INTEGER NOT NULL,
    lease_owner     TEXT,
    lease_until     INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    UNIQUE (publication_id)
);
CREATE INDEX jobs_due ON jobs (run_at);

CREATE TABLE quota_usage (
    channel_id    INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    quota_key     TEXT    NOT NULL,
    window_start  INTEGER NOT NULL,
    used          INTEGER NOT NULL,
    PRIMARY KEY (channel_id, quota_key, window_start)
);

CREATE TABLE channel_state (
    channel_id       INTEGER PRIMARY KEY REFERENCES channels (id) ON DELETE CASCADE,
    session          BLOB,
    token_expires_at INTEGER,
    needs_reconnect  INTEGER NOT NULL,
    last_success_at  INTEGER,
    last_error_at    INTEGER,
    last_error       TEXT,
    account_name     TEXT,
    updated_at       INTEGER NOT NULL
);

CREATE TABLE queue_slots (
    channel_id  INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    weekday     INTEGER NOT NULL,
    minute      INTEGER NOT NULL,
    PRIMARY KEY (channel_id, weekday, minute)
);

CREATE TABLE publishing_settings (
    workspace_id   INTEGER PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    grace_minutes  INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);

CREATE TABLE notifications (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id       INTEGER REFERENCES users (id) ON DELETE CASCADE,
    kind          TEXT    NOT NULL,
    publication_id INTEGER REFERENCES publications (id) ON DELETE CASCADE,
    channel_id    INTEGER REFERENCES channels (id) ON DELETE CASCADE,
    detail        TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    read_at       INTEGER
);
CREATE INDEX notifications_workspace ON notifications (workspace_id, id);

CREATE TABLE notification_targets (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    kind          TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    sealed        BLOB    NOT NULL,
    events        TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
);

CREATE TABLE notification_deliveries (
    notification_id  INTEGER NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    target_id        INTEGER NOT NULL REFERENCES notification_targets (id) ON DELETE CASCADE,
    status           TEXT    NOT NULL,
    attempts         INTEGER NOT NULL,
    next_at          INTEGER NOT NULL,
    last_error       TEXT,
    PRIMARY KEY (notification_id, target_id)
);
CREATE INDEX notification_deliveries_due ON notification_deliveries (status, next_at);

CREATE TABLE engagement (
    publication_id  INTEGER NOT NULL REFERENCES publications (id) ON DELETE CASCADE,
    channel_id      INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    posted_at       INTEGER NOT NULL,
    reads           INTEGER NOT NULL,
    likes           INTEGER NOT NULL,
    comments        INTEGER NOT NULL,
    shares          INTEGER NOT NULL,
    measured_at     INTEGER NOT NULL,
    PRIMARY KEY (publication_id)
);
CREATE INDEX engagement_channel ON engagement (channel_id, posted_at);

CREATE TABLE inbound_events (
    id           INTEGER PRIMARY KEY,
    channel_id   INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    dedup_key    TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    payload      TEXT    NOT NULL,
    received_at  INTEGER NOT NULL,
    UNIQUE (channel_id, dedup_key)
);
