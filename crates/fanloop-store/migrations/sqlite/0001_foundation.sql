-- Accounts, sessions, workspaces, members, invitations, channels, audit.
-- Times are UTC instants in Unix milliseconds (INTEGER), identical on both backends.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT    NOT NULL UNIQUE,
    display_name  TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    locale        TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash   TEXT    PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE api_tokens (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    token_hash  TEXT    NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL
);

CREATE TABLE login_failures (
    subject  TEXT    NOT NULL,
    at       INTEGER NOT NULL
);
CREATE INDEX login_failures_subject ON login_failures (subject, at);

CREATE TABLE setup_tokens (
    token_hash  TEXT    PRIMARY KEY,
    expires_at  INTEGER NOT NULL
);

CREATE TABLE workspaces (
    id           INTEGER PRIMARY KEY,
    name         TEXT    NOT NULL,
    timezone     TEXT    NOT NULL,
    locale       TEXT    NOT NULL,
    brand_voice  TEXT    NOT NULL,
    created_by   INTEGER NOT NULL REFERENCES users (id),
    created_at   INTEGER NOT NULL
);

CREATE TABLE memberships (
    workspace_id  INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role          TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE invitations (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    email         TEXT    NOT NULL,
    role          TEXT    NOT NULL,
    token_hash    TEXT    NOT NULL UNIQUE,
    invited_by    INTEGER NOT NULL REFERENCES users (id),
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    accepted_at   INTEGER
);
CREATE INDEX invitations_workspace ON invitations (workspace_id);

CREATE TABLE channels (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    platform      TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    settings      TEXT    NOT NULL,
    secret_keys   TEXT    NOT NULL,
    credentials   BLOB,
    created_at    INTEGER NOT NULL
);
CREATE INDEX channels_workspace ON channels (workspace_id);

CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY,
    workspace_id  INTEGER REFERENCES workspaces (id) ON DELETE CASCADE,
    actor_id      INTEGER REFERENCES users (id),
    action        TEXT    NOT NULL,
    detail        TEXT    NOT NULL,
    at            INTEGER NOT NULL
);
CREATE INDEX audit_log_workspace ON audit_log (workspace_id, at);
