-- Every instance's scheduler hears at once when a job becomes claimable (queued,
-- re-queued for a retry, released from a held channel), instead of within its bounded
-- sleep. Claims set lease_owner and stay silent, so claiming wakes nobody. NOTIFY is
-- delivered on commit and de-duplicated within a transaction, so scheduling a
-- thousand posts at once is one wake-up.
CREATE FUNCTION fanloop_job_queued() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('fanloop_jobs', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER jobs_queued AFTER INSERT OR UPDATE OF run_at, lease_owner ON jobs
    FOR EACH ROW WHEN (NEW.lease_owner IS NULL) EXECUTE FUNCTION fanloop_job_queued();
