-- Each portal process keeps the lists of sessions its examiners' dashboards show
-- (src/db/office_view.c), filed under the shared view's version (056) and the seat version
-- (062), which between them move with every change to a session that the list shows. Who is
-- assigned to which session is the one thing they did not cover: an assignment added or
-- removed now moves the shared view's version too. Assignments are rare (the office sets up
-- a session), so every process reading its shared view again afterwards costs nothing that
-- matters.
CREATE TRIGGER shared_view_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON session_examiners
	FOR EACH STATEMENT EXECUTE FUNCTION shared_view_changed();
