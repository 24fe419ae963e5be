-- The office's dashboard sums the waiting lists of all sessions. exam_sessions is small but
-- every booking rewrites its session's row, so its heap is many times larger than its rows
-- and the sum read all of it (150 us of its 270). Only the few sessions with a waiting list
-- are read now.
CREATE INDEX exam_sessions_waitlisted ON exam_sessions (id) WHERE waitlisted_count > 0;
