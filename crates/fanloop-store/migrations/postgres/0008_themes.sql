-- Each workspace's WeChat theme: a built-in name plus its own CSS on top.

CREATE TABLE workspace_themes (
    workspace_id  BIGINT PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
    theme         TEXT    NOT NULL,
    custom_css    TEXT    NOT NULL,
    updated_at    BIGINT NOT NULL
);
