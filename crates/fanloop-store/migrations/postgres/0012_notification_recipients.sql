-- Notifications addressed to people. Each notification now lists who it is for, and
-- each of them reads it on their own: `notification_recipients` holds one row per
-- addressee with that person's `read_at`. Rows are written in the transaction that
-- writes the notification (and so the state change it reports); who is addressed per
-- kind is decided by `fanloop_domain::notify::Audience`. A workspace-wide notification
-- is one addressed to every member.
--
-- Until now every notification went to the whole workspace with one shared read state
-- (`notifications.user_id` was always NULL). Those keep reaching the people who could
-- see them: every current member, read if the shared state said so. The old
-- `notifications.user_id` and `notifications.read_at` columns are no longer written.

CREATE TABLE notification_recipients (
    notification_id  BIGINT NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    user_id          BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    read_at          BIGINT,
    PRIMARY KEY (notification_id, user_id)
);
-- A person's list and unread count in a workspace read this index from the newest.
CREATE INDEX notification_recipients_user ON notification_recipients (user_id, notification_id);

INSERT INTO notification_recipients (notification_id, user_id, read_at)
SELECT n.id, m.user_id, n.read_at FROM notifications n
JOIN memberships m ON m.workspace_id = n.workspace_id
WHERE n.user_id IS NULL OR n.user_id = m.user_id;
