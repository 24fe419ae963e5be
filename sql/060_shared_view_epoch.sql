-- The shared view's version (056) starts at 1 in every database and moves by one, so a
-- database re-created (or reset to its migrations) behind running portal processes can land
-- on the very number a process's copy was read under, and that copy, of the database before,
-- would pass for current. A random number drawn once per database, which the processes
-- compare together with the version, tells the databases apart.
ALTER TABLE shared_view_version ADD COLUMN epoch bigint NOT NULL
	DEFAULT ('x' || substr(md5(gen_random_uuid()::text), 1, 16))::bit(64)::bigint;
