-- Internationalised addresses (RFC 6531) are accepted in their UTF-8 form; the application
-- lower-cases ASCII letters only (domain/account.c), so the check says exactly that instead of
-- lower(email), which would also fold non-ASCII letters and refuse "Jürgen@…" as typed.
ALTER TABLE users DROP CONSTRAINT users_email_check;
ALTER TABLE users ADD CONSTRAINT users_email_check
	CHECK (email !~ '[A-Z]' AND octet_length(email) BETWEEN 3 AND 254 AND email LIKE '%_@_%._%');
