-- Which sender holds a claimed row ("host:pid"), so that a sender restarted on the same host
-- takes back at once what a dead one held, instead of waiting for the lease to end.
ALTER TABLE outbox ADD COLUMN claimed_by text;
