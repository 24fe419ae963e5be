-- make bench: realistic data, in bulk (generate_series), for candidates :lo .. :hi.
--   psql -v lo=1 -v hi=100 -v hash=... -v first=1 -f tests/bench/data.sql
-- :first = 1 also creates what does not grow with candidates: the office, 20 examiners,
-- course editions and 200 examination sessions (170 published, 10 closed awaiting
-- results, 20 open). Every candidate has a stage, from its number modulo 100 (b):
--   b  0..9   just registered
--   b 10..29  GALEN attended; 10..19 booked on an open L1 session, L1 failed once
--   b 30..79  L1 certificate; 30..49 ECNR part-way (one MCQ failed), 50..79 all modules
--             passed; 50..71 booked (or waitlisted) on an open L2 session
--   b 72..79  L2 diploma; 76..79 HQ-DIAG attended; 78..79 L3-DIAG qualification
--   b 80..99  GALEN attended, ECNR-1 attended and its MCQ failed twice
-- About 4 bookings per candidate (past ones with results, cancelled ones, live ones) and
-- 3,000 certificates for 5,000 candidates. Certificates get the register row of a real
-- one (number, serial, holder, key) and a copy of the PDF bytes of a certificate the
-- stack really issued (the demo's): the register stays consistent (numbers without
-- gaps, certificate_serials up to date), only the copied PDFs do not name their holder.
\set ON_ERROR_STOP 1
SET synchronous_commit = off; -- bench data only: the portal's own writes keep theirs

BEGIN;

-- ------------------------------------------------------------ fixed part (first call)
INSERT INTO users (email, full_name, role, password_hash)
SELECT 'office@bench.example', 'Bench Office', 'admin', :'hash' WHERE :first = 1;
INSERT INTO users (email, full_name, role, password_hash)
SELECT format('examiner%s@bench.example', e), format('Bench Examiner %s', e), 'examiner', :'hash'
FROM generate_series(1, 20) e WHERE :first = 1;

INSERT INTO course_editions (course_code, cycle_label, city, starts_on, ends_on)
SELECT c.code, format('Bench cycle %s/%s', y, h), 'Bench City',
       make_date(y, 4 + 6 * (h - 1), 1 + c.sort % 20), make_date(y, 4 + 6 * (h - 1), 5 + c.sort % 20)
FROM courses c, generate_series(2018, 2025) y, generate_series(1, 2) h
WHERE :first = 1
ON CONFLICT DO NOTHING;

-- s 1..170 published, 171..180 closed awaiting results, 181..200 open for booking.
CREATE TEMP TABLE bench_sessions AS
SELECT s,
       CASE WHEN s <= 180 THEN (ARRAY['L1','L1','L1','L2','L2','L3-DIAG','L3-ENDO','L3-SPINE','L3-PAED','L1'])[1 + s % 10]
            ELSE (ARRAY['L1','L1','L1','L1','L1','L1','L1','L1','L2','L2','L2','L2','L2','L2',
                        'L3-DIAG','L3-DIAG','L3-DIAG','L3-ENDO','L3-SPINE','L3-PAED'])[s - 180] END AS exam,
       CASE WHEN s <= 180 THEN now() - make_interval(days => 7 * (181 - s))
            ELSE now() + make_interval(days => 40 + s - 180) END AS starts
FROM generate_series(1, 200) s WHERE :first = 1;

INSERT INTO exam_sessions (exam_code, starts_at, location, capacity, opens_at, closes_at,
                           cancel_until, closed_at, published_at, created_by)
SELECT exam, starts, format('Bench hall %s, Vienna', s), CASE WHEN s <= 180 THEN 400 ELSE 100 END,
       starts - interval '90 days', starts - interval '1 day', starts - interval '8 days',
       CASE WHEN s <= 180 THEN starts - interval '1 day' END,
       CASE WHEN s <= 170 THEN starts + interval '14 days' END,
       (SELECT id FROM users WHERE email = 'office@bench.example')
FROM bench_sessions ORDER BY s;

INSERT INTO session_examiners (session_id, user_id)
SELECT s.id, u.id FROM exam_sessions s
JOIN users u ON u.email = format('examiner%s@bench.example', 1 + s.id % 20)
WHERE :first = 1 AND s.location LIKE 'Bench hall %';

-- ------------------------------------------------------------ candidates :lo .. :hi
INSERT INTO users (email, full_name, role, password_hash, created_at)
SELECT format('cand%s@bench.example', i), format('Bench Candidate %s', i), 'candidate', :'hash',
       now() - interval '4 years'
FROM generate_series(:lo, :hi) i;

CREATE TEMP TABLE bc AS
SELECT i, u.id, i % 100 AS b FROM generate_series(:lo, :hi) i
JOIN users u ON u.email = format('cand%s@bench.example', i);

-- Attendances (and MCQs) by stage.
CREATE TEMP TABLE bench_att (i int, id bigint, course text, on_date date, mcq text[]);
INSERT INTO bench_att
SELECT i, id, 'GALEN', DATE '2021-03-01' + i % 300, NULL FROM bc WHERE b >= 10
UNION ALL
SELECT i, id, m, DATE '2022-04-01' + 180 * k + i % 30,
       CASE WHEN b BETWEEN 80 AND 99 THEN ARRAY['fail', 'fail']
            WHEN b BETWEEN 30 AND 49 AND k = 3 THEN ARRAY['fail']
            ELSE ARRAY['pass'] END
FROM bc, LATERAL (VALUES (1, 'ECNR-1'), (2, 'ECNR-2'), (3, 'ECNR-3'), (4, 'ECNR-4')) v(k, m)
WHERE (b BETWEEN 30 AND 49 AND k <= 3) OR (b BETWEEN 50 AND 79) OR (b >= 80 AND k = 1)
UNION ALL
SELECT i, id, 'HQ-DIAG', DATE '2024-09-10' + i % 20, NULL FROM bc WHERE b BETWEEN 76 AND 79;

INSERT INTO attendances (user_id, course_code, edition_id, attended_on)
SELECT a.id, a.course,
       (SELECT e.id FROM course_editions e WHERE e.course_code = a.course ORDER BY e.starts_on LIMIT 1),
       a.on_date
FROM bench_att a;

INSERT INTO mcq_attempts (attendance_id, attempt, taken_on, passed)
SELECT t.id, n, a.on_date + 5 + 30 * (n - 1), a.mcq[n] = 'pass'
FROM bench_att a
JOIN attendances t ON t.user_id = a.id AND t.course_code = a.course AND t.attended_on = a.on_date,
     generate_subscripts(a.mcq, 1) n
WHERE a.mcq IS NOT NULL;

INSERT INTO attestations (user_id, kind, evidence_date, checked_by)
SELECT id, 'RADIOLOGIST-2Y', DATE '2019-06-01', (SELECT id FROM users WHERE email = 'office@bench.example')
FROM bc WHERE b >= 72;

-- Bookings: k = 1 the L1 attempt, 2 the L2 attempt or a cancellation, 3 the L3 attempt or
-- a cancellation, 4 a live booking on an open session or a cancellation, 5 one more
-- cancellation for the newly registered.
CREATE TEMP TABLE bench_bk AS
SELECT bc.i, bc.id AS user_id, bc.b, k,
       CASE
         WHEN k = 1 THEN 'L1'
         WHEN k = 2 AND b >= 50 AND b < 80 THEN 'L2'
         WHEN k = 3 AND b >= 78 AND b < 80 THEN 'L3-DIAG'
         WHEN k = 4 AND b BETWEEN 10 AND 19 THEN 'L1'
         WHEN k = 4 AND b BETWEEN 50 AND 71 THEN 'L2'
         WHEN k = 4 AND b BETWEEN 76 AND 77 THEN 'L3-DIAG'
         ELSE (ARRAY['L1', 'L2', 'L3-ENDO'])[1 + (i + k) % 3]
       END AS exam,
       CASE
         WHEN k = 1 AND b >= 10 THEN 'past'
         WHEN k = 2 AND b >= 50 AND b < 80 THEN 'past'
         WHEN k = 3 AND b >= 78 AND b < 80 THEN 'past'
         WHEN k = 4 AND (b BETWEEN 10 AND 19 OR b BETWEEN 50 AND 71 OR b BETWEEN 76 AND 77) THEN 'live'
         ELSE 'cancelled'
       END AS kind,
       CASE
         WHEN k = 1 THEN b >= 30 AND b < 80
         WHEN k = 2 THEN b >= 72
         WHEN k = 3 THEN true
         ELSE false
       END AS passed
FROM bc, generate_series(1, 5) k
WHERE k <= 4 OR bc.b < 10;

CREATE TEMP TABLE bench_pick AS
SELECT exam_code, published_at IS NOT NULL AS published, closed_at IS NULL AS open,
       array_agg(id ORDER BY id) AS ids
FROM exam_sessions WHERE location LIKE 'Bench hall %'
GROUP BY 1, 2, 3;

CREATE TEMP TABLE bench_bk2 AS
SELECT k.*, p.ids[1 + (k.i * 7 + k.k) % cardinality(p.ids)] AS session_id
FROM bench_bk k
JOIN bench_pick p ON p.exam_code = k.exam
 AND ((k.kind = 'live' AND p.open) OR (k.kind <> 'live' AND p.published));

-- Live bookings: booked while seats are left, then the waiting list.
INSERT INTO bookings (session_id, exam_code, user_id, status, ics_uid, live, created_at, updated_at,
                      cancelled_at)
SELECT k.session_id, k.exam, k.user_id,
       CASE WHEN k.kind = 'cancelled' THEN 'cancelled'
            WHEN k.kind = 'past' THEN 'booked'
            WHEN row_number() OVER (PARTITION BY k.session_id, k.kind = 'live' ORDER BY k.i) + s.booked_count
                 <= s.capacity THEN 'booked'
            ELSE 'waitlisted' END,
       format('booking-bench-%s-%s@esonr-portal', k.i, k.k),
       k.kind = 'live',
       s.opens_at + make_interval(secs => k.i % 86400), s.opens_at + make_interval(secs => k.i % 86400),
       CASE WHEN k.kind = 'cancelled' THEN s.opens_at + interval '2 days' END
FROM bench_bk2 k JOIN exam_sessions s ON s.id = k.session_id
ORDER BY k.session_id, k.i;

INSERT INTO results (booking_id, written, oral_a, computed_outcome, entered_by)
SELECT b.id, CASE WHEN k.passed THEN 70 + k.i % 25 ELSE 40 + k.i % 15 END,
       CASE WHEN k.passed THEN 65 + k.i % 30 ELSE 50 + k.i % 20 END,
       CASE WHEN k.passed THEN 'pass' ELSE 'fail' END,
       (SELECT se.user_id FROM session_examiners se WHERE se.session_id = b.session_id LIMIT 1)
FROM bench_bk2 k JOIN bookings b ON b.ics_uid = format('booking-bench-%s-%s@esonr-portal', k.i, k.k)
WHERE k.kind = 'past';

-- Certificates for the passes, numbered on from what the register already holds.
CREATE TEMP TABLE bench_cert AS
SELECT k.user_id, k.exam, k.session_id, extract(year FROM s.published_at)::int AS year,
       s.published_at, u.full_name,
       row_number() OVER (PARTITION BY k.exam, extract(year FROM s.published_at) ORDER BY k.i)
         + coalesce((SELECT max(c.serial) FROM certificates c
                     WHERE c.exam_code = k.exam AND c.year = extract(year FROM s.published_at)::int), 0)
         AS serial
FROM bench_bk2 k JOIN exam_sessions s ON s.id = k.session_id JOIN users u ON u.id = k.user_id
WHERE k.kind = 'past' AND k.passed;

INSERT INTO certificates (number, user_id, exam_code, session_id, year, serial, issued_at,
                          holder_name, key_id, qr_text, pdf)
SELECT format('ESNR-%s-%s-%s', c.exam, c.year, lpad(c.serial::text, 4, '0')), c.user_id, c.exam,
       c.session_id, c.year, c.serial, c.published_at, c.full_name, r.key_id, r.qr_text, r.pdf
FROM bench_cert c
LEFT JOIN LATERAL (SELECT key_id, qr_text, pdf FROM certificates WHERE pdf IS NOT NULL
                   ORDER BY issued_at LIMIT 1) r ON true;

INSERT INTO certificate_serials (exam_code, year, last_serial)
SELECT exam_code, year, max(serial) FROM certificates GROUP BY 1, 2
ON CONFLICT (exam_code, year) DO UPDATE SET last_serial = greatest(certificate_serials.last_serial,
                                                                   EXCLUDED.last_serial);

COMMIT;
-- As autovacuum would have it in a database that has been running for a while.
VACUUM ANALYZE;
