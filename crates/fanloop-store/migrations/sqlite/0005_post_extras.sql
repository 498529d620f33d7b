-- Post extras: who a post is assigned to and when it is due, covers for the master and
-- each variant, what each version changed, and team comments with their @mentions.

-- The due date is a calendar day in the workspace's time zone ("YYYY-MM-DD"), not an
-- instant: "due on the 12th" means the whole 12th wherever the team is.
ALTER TABLE posts ADD COLUMN assignee_id INTEGER REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE posts ADD COLUMN due_date TEXT;
ALTER TABLE posts ADD COLUMN cover_media_id INTEGER REFERENCES media (id) ON DELETE SET NULL;
ALTER TABLE post_variants ADD COLUMN cover_media_id INTEGER REFERENCES media (id) ON DELETE SET NULL;

-- A version made by editing a variant leaves the master unchanged; this says which.
ALTER TABLE post_versions ADD COLUMN summary TEXT NOT NULL DEFAULT '';

CREATE TABLE post_comments (
    id         INTEGER PRIMARY KEY,
    post_id    INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    author_id  INTEGER NOT NULL REFERENCES users (id),
    body       TEXT    NOT NULL,
    at         INTEGER NOT NULL
);
CREATE INDEX post_comments_post ON post_comments (post_id, id);

CREATE TABLE comment_mentions (
    comment_id  INTEGER NOT NULL REFERENCES post_comments (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    read_at     INTEGER,
    PRIMARY KEY (comment_id, user_id)
);
CREATE INDEX comment_mentions_user ON comment_mentions (user_id, read_at);
