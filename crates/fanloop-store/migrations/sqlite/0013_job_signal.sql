-- Nothing to do on SQLite: one process owns the file, and it wakes its own scheduler
-- when it queues a job. (PostgreSQL's version signals the other instances.)
SELECT 1;
