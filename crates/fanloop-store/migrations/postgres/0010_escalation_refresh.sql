-- Assisted-post escalation and proactive token refresh.
--
-- A workspace chooses how long an assisted package may wait for the operator's
-- confirmation before it escalates (0 = never); `escalated_at` records that the one
-- escalation of a publication was raised, written in the same transaction as its
-- notification so it can never be raised twice.
--
-- The token refresher claims a channel by writing its instance name and a deadline:
-- two instances never refresh the same token at once, and after an attempt the
-- deadline is reused as "not before", so a channel is tried at a measured pace.

ALTER TABLE publishing_settings ADD COLUMN assisted_escalate_minutes BIGINT NOT NULL DEFAULT 120;

ALTER TABLE publications ADD COLUMN escalated_at BIGINT;
CREATE INDEX publications_assisted ON publications (status, escalated_at);

ALTER TABLE channel_state ADD COLUMN refresh_owner TEXT;
ALTER TABLE channel_state ADD COLUMN refresh_until BIGINT;
ALTER TABLE channel_state ADD COLUMN refreshed_at BIGINT;
