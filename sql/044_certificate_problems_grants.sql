-- certificate_problems (sql/011) under the rule of sql/040: the portal notes and clears a
-- problem; it never moves one to another booking.
REVOKE UPDATE ON certificate_problems FROM esonr_app;
GRANT UPDATE (problem, noted_at) ON certificate_problems TO esonr_app;
