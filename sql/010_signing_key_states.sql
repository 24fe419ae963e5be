-- Key states (DESIGN §4): a key is in force (retired_at NULL), retired (it signed from
-- created_at until retired_at, and its secret half no longer exists), or compromised (every
-- certificate it signed stops verifying until reissued). A compromised key is retired too.
ALTER TABLE signing_keys
	ADD COLUMN compromised_at     timestamptz,
	ADD COLUMN compromised_reason text,
	ADD CONSTRAINT signing_keys_compromise_has_reason
		CHECK ((compromised_at IS NULL) = (compromised_reason IS NULL)),
	ADD CONSTRAINT signing_keys_compromised_is_retired
		CHECK (compromised_at IS NULL OR retired_at IS NOT NULL),
	ADD CONSTRAINT signing_keys_period CHECK (retired_at IS NULL OR retired_at >= created_at);

-- When the register's copy was signed: the key's period must contain it.
ALTER TABLE certificates ADD COLUMN signed_at timestamptz;

-- A certificate is signed only by the key in force at that moment: whatever C code runs,
-- a retired or compromised key cannot be recorded as the signer of a new or changed PDF.
CREATE FUNCTION certificates_signed_in_force() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.key_id IS NOT NULL AND (TG_OP = 'INSERT' OR NEW.key_id IS DISTINCT FROM OLD.key_id
	    OR NEW.pdf IS DISTINCT FROM OLD.pdf) THEN
		IF NOT EXISTS (SELECT 1 FROM signing_keys WHERE id = NEW.key_id AND retired_at IS NULL) THEN
			RAISE EXCEPTION 'certificate %: key % is not in force', NEW.number, NEW.key_id
				USING ERRCODE = 'check_violation';
		END IF;
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER certificates_signed_in_force BEFORE INSERT OR UPDATE OF key_id, pdf ON certificates
	FOR EACH ROW EXECUTE FUNCTION certificates_signed_in_force();
