-- The ESoNR programme (levels, courses, editions, examinations, dated prerequisite rules)
-- and each candidate's records (attendances, module MCQs, attestations, certificates held).

CREATE TABLE levels (
	level  int PRIMARY KEY CHECK (level BETWEEN 1 AND 3),
	title  text NOT NULL
);

CREATE TABLE courses (
	code          text PRIMARY KEY CHECK (code ~ '^[A-Z0-9-]{2,20}$'),
	level         int NOT NULL REFERENCES levels,
	title         text NOT NULL,
	-- ECNR modules are completed by attendance and their end-of-module MCQ
	requires_mcq  boolean NOT NULL DEFAULT false,
	sort          int NOT NULL DEFAULT 0
);

-- One run of a course: dates, city, cycle label ("ECNR cycle 2027/1").
CREATE TABLE course_editions (
	id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	course_code  text NOT NULL REFERENCES courses,
	cycle_label  text NOT NULL CHECK (char_length(cycle_label) BETWEEN 1 AND 80),
	city         text NOT NULL CHECK (char_length(city) BETWEEN 1 AND 80),
	starts_on    date NOT NULL,
	ends_on      date NOT NULL CHECK (ends_on >= starts_on),
	UNIQUE (course_code, starts_on)
);

CREATE TABLE exams (
	code            text PRIMARY KEY CHECK (code ~ '^[A-Z0-9-]{2,20}$'),
	level           int NOT NULL REFERENCES levels,
	title           text NOT NULL,          -- what the certificate says
	branch          text,                   -- Level 3 branch, else NULL
	pass_written    int NOT NULL DEFAULT 60 CHECK (pass_written BETWEEN 0 AND 100),
	pass_oral       int NOT NULL DEFAULT 60 CHECK (pass_oral BETWEEN 0 AND 100),
	-- two independent oral markers; a gap above the tolerance blocks publication
	double_oral     boolean NOT NULL DEFAULT false,
	oral_tolerance  int NOT NULL DEFAULT 15 CHECK (oral_tolerance BETWEEN 0 AND 100),
	sort            int NOT NULL DEFAULT 0
);

CREATE TABLE attestation_kinds (
	code   text PRIMARY KEY CHECK (code ~ '^[A-Z0-9-]{2,30}$'),
	title  text NOT NULL,
	-- "certified radiologist for ≥ 2 years": met from evidence date + 2 years on
	min_years_since_evidence int NOT NULL DEFAULT 0 CHECK (min_years_since_evidence BETWEEN 0 AND 50)
);

-- Prerequisite rules are data, and dated: a change closes the old rule (valid_until)
-- and adds a new one, so the rules in force at any moment stay explainable.
CREATE TABLE exam_rules (
	id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	exam_code        text NOT NULL REFERENCES exams,
	kind             text NOT NULL CHECK (kind IN ('course', 'certificate', 'attestation')),
	course_code      text REFERENCES courses,
	certificate_exam text REFERENCES exams,
	attestation      text REFERENCES attestation_kinds,
	valid_from       timestamptz NOT NULL DEFAULT '2000-01-01 00:00+00',
	valid_until      timestamptz CHECK (valid_until IS NULL OR valid_until > valid_from),
	note             text,
	CHECK ((kind = 'course') = (course_code IS NOT NULL)),
	CHECK ((kind = 'certificate') = (certificate_exam IS NOT NULL)),
	CHECK ((kind = 'attestation') = (attestation IS NOT NULL))
);
CREATE INDEX exam_rules_exam ON exam_rules (exam_code, valid_from);

-- Attendance of a course or module (one row per time it was attended).
CREATE TABLE attendances (
	id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id      bigint NOT NULL REFERENCES users ON DELETE RESTRICT,
	course_code  text NOT NULL REFERENCES courses,
	edition_id   bigint REFERENCES course_editions,
	attended_on  date NOT NULL,
	recorded_by  bigint REFERENCES users,
	recorded_at  timestamptz NOT NULL DEFAULT now(),
	UNIQUE (user_id, course_code, attended_on)
);

-- End-of-module MCQ: two attempts per attendance (the exam and one resit).
CREATE TABLE mcq_attempts (
	id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	attendance_id  bigint NOT NULL REFERENCES attendances ON DELETE CASCADE,
	attempt        int NOT NULL CHECK (attempt IN (1, 2)),
	taken_on       date NOT NULL,
	passed         boolean NOT NULL,
	recorded_by    bigint REFERENCES users,
	recorded_at    timestamptz NOT NULL DEFAULT now(),
	UNIQUE (attendance_id, attempt)
);

CREATE TABLE attestations (
	id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id        bigint NOT NULL REFERENCES users,
	kind           text NOT NULL REFERENCES attestation_kinds,
	evidence_date  date NOT NULL,
	checked_by     bigint NOT NULL REFERENCES users,
	checked_at     timestamptz NOT NULL DEFAULT now(),
	note           text,
	UNIQUE (user_id, kind)
);

GRANT SELECT ON levels, courses, attestation_kinds TO esonr_app;
-- the office edits pass marks and marker settings
GRANT SELECT, UPDATE ON exams TO esonr_app;
GRANT SELECT, INSERT, UPDATE ON course_editions, exam_rules TO esonr_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON attendances, mcq_attempts, attestations TO esonr_app;

-- The programme as DESIGN.md §1 describes it.
INSERT INTO levels VALUES
	(1, 'Level 1: foundation'),
	(2, 'Level 2: European Course in Neuroradiology'),
	(3, 'Level 3: higher qualification');

INSERT INTO courses (code, level, title, requires_mcq, sort) VALUES
	('GALEN', 1, 'ESOR Galen Foundation Course in Neuroradiology', false, 10),
	('ECNR-1', 2, 'ECNR module 1: Embryology, Anatomy, Malformations, Genetics', true, 21),
	('ECNR-2', 2, 'ECNR module 2: Tumours and tumour-like lesions', true, 22),
	('ECNR-3', 2, 'ECNR module 3: Vascular diseases', true, 23),
	('ECNR-4', 2, 'ECNR module 4: Trauma, Degenerative, Metabolic, Inflammatory', true, 24),
	('HQ-ENDO', 3, 'Course of Higher Qualification: Interventional Endovascular', false, 31),
	('HQ-SPINE', 3, 'Course of Higher Qualification: Interventional Spine', false, 32),
	('HQ-DIAG', 3, 'Course of Higher Qualification: Advanced Diagnostic Neuroradiology', false, 33),
	('HQ-PAED', 3, 'Course of Higher Qualification: Pediatric Neuroradiology', false, 34);

INSERT INTO exams (code, level, title, branch, sort) VALUES
	('L1', 1, 'Level 1 certificate in neuroradiology', NULL, 10),
	('L2', 2, 'European Diploma in Neuroradiology', NULL, 20),
	('L3-ENDO', 3, 'Level 3 qualification in interventional endovascular neuroradiology', 'Interventional Endovascular', 31),
	('L3-SPINE', 3, 'Level 3 qualification in interventional spine neuroradiology', 'Interventional Spine', 32),
	('L3-DIAG', 3, 'Level 3 qualification in advanced diagnostic neuroradiology', 'Advanced Diagnostic', 33),
	('L3-PAED', 3, 'Level 3 qualification in pediatric neuroradiology', 'Pediatric Neuroradiology', 34);

INSERT INTO attestation_kinds (code, title, min_years_since_evidence) VALUES
	('RADIOLOGIST-2Y', 'Certified radiologist for at least 2 years', 2),
	('ESNR-MEMBER', 'ESNR full member', 0);

INSERT INTO exam_rules (exam_code, kind, course_code, note) VALUES
	('L1', 'course', 'GALEN', 'default rule'),
	('L2', 'course', 'ECNR-1', 'default rule'),
	('L2', 'course', 'ECNR-2', 'default rule'),
	('L2', 'course', 'ECNR-3', 'default rule'),
	('L2', 'course', 'ECNR-4', 'default rule'),
	('L3-ENDO', 'course', 'HQ-ENDO', 'default rule'),
	('L3-SPINE', 'course', 'HQ-SPINE', 'default rule'),
	('L3-DIAG', 'course', 'HQ-DIAG', 'default rule'),
	('L3-PAED', 'course', 'HQ-PAED', 'default rule');
INSERT INTO exam_rules (exam_code, kind, certificate_exam, note) VALUES
	('L3-ENDO', 'certificate', 'L2', 'default rule'),
	('L3-SPINE', 'certificate', 'L2', 'default rule'),
	('L3-DIAG', 'certificate', 'L2', 'default rule'),
	('L3-PAED', 'certificate', 'L2', 'default rule');
