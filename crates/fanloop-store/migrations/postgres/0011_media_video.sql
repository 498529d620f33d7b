-- Video metadata read from the file's boxes at upload: how long it plays. Width and
-- height (the existing columns) now hold a video's picture size as shown, too. Items
-- uploaded before this stay NULL: unknown, never guessed.

ALTER TABLE media ADD COLUMN duration_ms BIGINT;
