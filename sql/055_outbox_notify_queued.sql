-- The sender woke itself up: the statement-level trigger of sql/020 notified on every
-- UPDATE OF state, also on the sender's own claim that updated no row, so the sender
-- (LISTEN outbox) looped without pause, about 700 rounds of six statements a second on an
-- idle stack, taking CPU from the pages. Only a message that becomes queued (a new one, a
-- retry, one queued again) is news for it.
DROP TRIGGER outbox_notify ON outbox;
CREATE TRIGGER outbox_notify AFTER INSERT OR UPDATE OF state, next_attempt_at ON outbox
	FOR EACH ROW WHEN (NEW.state = 'queued') EXECUTE FUNCTION outbox_notify();
