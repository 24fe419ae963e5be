-- The portal processes' copy of the catalogue (src/db/catalogue.c) holds the levels too, and
-- is read again when the shared view's version (056) moves: changes to levels move it as
-- well, as those to courses and exams do, so that a level renamed shows at the next page.
CREATE TRIGGER shared_view_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON levels
	FOR EACH STATEMENT EXECUTE FUNCTION shared_view_changed();
