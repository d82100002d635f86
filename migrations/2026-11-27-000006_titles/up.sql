-- Titles and commendations (TITLES.md): the catalogue, versioned rule sets
-- (C0), yearly facts, registrations, proposals, decisions and the award
-- history (C1, C14).

CREATE TABLE award_types (
    code          text PRIMARY KEY,
    kind          text NOT NULL CHECK (kind IN ('title', 'form')),
    subject_kind  text NOT NULL CHECK (subject_kind IN ('person', 'collective')),
    level         text NOT NULL CHECK (level IN ('grassroots', 'provincial', 'ministerial', 'national')),
    name_vi       text NOT NULL,
    name_en       text NOT NULL,
    legal_basis   text NOT NULL,
    position      integer NOT NULL UNIQUE
);

-- The catalogue is the law's, not demo data: Law 06/2022/QH15, the chapter
-- on emulation titles (arts. 21-28 as numbered in docs/titles.md) and the
-- sections on Bằng khen and Giấy khen.
INSERT INTO award_types (code, kind, subject_kind, level, name_vi, name_en, legal_basis, position) VALUES
 ('ldtt', 'title', 'person', 'grassroots', 'Lao động tiên tiến', 'Advanced Worker', 'Luật TĐKT 2022 Điều 24; Nghị định 98/2023/NĐ-CP', 1),
 ('cstdcs', 'title', 'person', 'grassroots', 'Chiến sĩ thi đua cơ sở', 'Grassroots Emulation Fighter', 'Luật TĐKT 2022 Điều 23', 2),
 ('cstd_tinh', 'title', 'person', 'provincial', 'Chiến sĩ thi đua cấp tỉnh', 'Provincial Emulation Fighter', 'Luật TĐKT 2022 Điều 22', 3),
 ('cstd_toan_quoc', 'title', 'person', 'national', 'Chiến sĩ thi đua toàn quốc', 'National Emulation Fighter', 'Luật TĐKT 2022 Điều 21', 4),
 ('ttldtt', 'title', 'collective', 'grassroots', 'Tập thể lao động tiên tiến', 'Advanced Labour Collective', 'Luật TĐKT 2022 Điều 28', 5),
 ('ttldxs', 'title', 'collective', 'grassroots', 'Tập thể lao động xuất sắc', 'Excellent Labour Collective', 'Luật TĐKT 2022 Điều 27', 6),
 ('co_thi_dua_tinh', 'title', 'collective', 'provincial', 'Cờ thi đua cấp tỉnh', 'Provincial Emulation Flag', 'Luật TĐKT 2022 Điều 26', 7),
 ('co_thi_dua_chinh_phu', 'title', 'collective', 'national', 'Cờ thi đua của Chính phủ', 'Government Emulation Flag', 'Luật TĐKT 2022 Điều 25', 8),
 ('bang_khen_chu_tich_tinh', 'form', 'person', 'provincial', 'Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh', 'Certificate of Merit of the Provincial Chairman', 'Luật TĐKT 2022, mục Bằng khen; Nghị định 98/2023/NĐ-CP', 9),
 ('bang_khen_bo', 'form', 'person', 'ministerial', 'Bằng khen cấp bộ, ban, ngành, đoàn thể trung ương', 'Ministerial Certificate of Merit', 'Luật TĐKT 2022, mục Bằng khen; Nghị định 98/2023/NĐ-CP', 10),
 ('bang_khen_thu_tuong', 'form', 'person', 'national', 'Bằng khen của Thủ tướng Chính phủ', 'Certificate of Merit of the Prime Minister', 'Luật TĐKT 2022, mục Bằng khen của Thủ tướng Chính phủ; Nghị định 98/2023/NĐ-CP', 11),
 ('giay_khen', 'form', 'person', 'grassroots', 'Giấy khen', 'Certificate of Commendation', 'Luật TĐKT 2022, mục Giấy khen', 12);

-- C0: a rule set is a version of the parameters; a version used by a
-- decision is never edited (used_at is set by the first decision).
CREATE TABLE rule_sets (
    id             uuid PRIMARY KEY,
    code           text NOT NULL CHECK (code ~ '^[a-z0-9][a-z0-9_-]{1,47}$'),
    version        integer NOT NULL CHECK (version >= 1),
    scope          text NOT NULL CHECK (scope IN ('national', 'province')),
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    legal_basis    text NOT NULL CHECK (length(legal_basis) BETWEEN 1 AND 2000),
    effective_from date NOT NULL,
    effective_to   date,
    params         jsonb NOT NULL,
    used_at        timestamptz,
    row_version    integer NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (code, version),
    CHECK (effective_to IS NULL OR effective_to >= effective_from)
);

-- Per person and year: the facts the title rules read.
CREATE TABLE person_year_facts (
    person_id           uuid NOT NULL REFERENCES people (id),
    year                integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    rating              text NOT NULL CHECK (rating IN ('htxs', 'htt', 'ht', 'kht')),
    registered          boolean NOT NULL,
    months_employed     integer NOT NULL CHECK (months_employed BETWEEN 0 AND 12),
    absent_days         integer NOT NULL CHECK (absent_days BETWEEN 0 AND 366),
    discipline          text NOT NULL CHECK (discipline IN ('none', 'khien_trach', 'canh_cao', 'higher')),
    discipline_until    date,
    under_investigation boolean NOT NULL DEFAULT false,
    version             integer NOT NULL DEFAULT 1,
    updated_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (person_id, year),
    CHECK ((discipline = 'none') = (discipline_until IS NULL))
);

CREATE TABLE initiatives (
    id         uuid PRIMARY KEY,
    person_id  uuid NOT NULL REFERENCES people (id),
    year       integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    title      text NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    level      text NOT NULL CHECK (level IN ('grassroots', 'provincial', 'national'))
);
CREATE INDEX initiatives_person_idx ON initiatives (person_id, year);

-- Đăng ký thi đua: one per unit and year.
CREATE TABLE registrations (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    year            integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    titles          text[] NOT NULL,
    sub_units       jsonb NOT NULL,
    staff           jsonb NOT NULL,
    version         integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, year)
);

ALTER TABLE bloc_terms ADD COLUMN registration_deadline date;

CREATE TABLE proposals (
    id              uuid PRIMARY KEY,
    -- NULL: proposed by the provincial board itself.
    organization_id uuid REFERENCES organizations (id),
    year            integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    status          text NOT NULL CHECK (status IN ('draft', 'submitted', 'returned', 'approved', 'rejected', 'decided')),
    return_reason   text,
    council_note    text,
    council_on      date,
    version         integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX proposals_year_idx ON proposals (year, id);

CREATE TABLE proposal_items (
    id              uuid PRIMARY KEY,
    proposal_id     uuid NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    position        integer NOT NULL,
    award_type      text NOT NULL REFERENCES award_types (code),
    person_id       uuid REFERENCES people (id),
    organization_id uuid REFERENCES organizations (id),
    eligible        boolean NOT NULL,
    eligibility     jsonb NOT NULL,
    CHECK ((person_id IS NULL) <> (organization_id IS NULL)),
    UNIQUE (proposal_id, award_type, person_id, organization_id)
);
CREATE INDEX proposal_items_proposal_idx ON proposal_items (proposal_id, position);

CREATE TABLE decisions (
    id           uuid PRIMARY KEY,
    number       text NOT NULL UNIQUE CHECK (length(number) BETWEEN 1 AND 100),
    decided_on   date NOT NULL,
    signer       text NOT NULL CHECK (length(signer) BETWEEN 1 AND 200),
    issuing_body text NOT NULL CHECK (length(issuing_body) BETWEEN 1 AND 300),
    year         integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    proposal_id  uuid REFERENCES proposals (id),
    rule_set_id  uuid NOT NULL REFERENCES rule_sets (id),
    override_reason text,
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- The award history. C1: one active award per title, subject and year.
CREATE TABLE awards (
    id              uuid PRIMARY KEY,
    award_type      text NOT NULL REFERENCES award_types (code),
    person_id       uuid REFERENCES people (id),
    organization_id uuid REFERENCES organizations (id),
    year            integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    decision_id     uuid NOT NULL REFERENCES decisions (id),
    status          text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'revoked')),
    eligibility     jsonb NOT NULL,
    overridden      boolean NOT NULL DEFAULT false,
    revoked_at      timestamptz,
    revoke_reason   text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((person_id IS NULL) <> (organization_id IS NULL)),
    CHECK ((status = 'revoked') = (revoked_at IS NOT NULL))
);
CREATE UNIQUE INDEX awards_c1_person ON awards (award_type, person_id, year)
    WHERE status = 'active' AND person_id IS NOT NULL;
CREATE UNIQUE INDEX awards_c1_org ON awards (award_type, organization_id, year)
    WHERE status = 'active' AND organization_id IS NOT NULL;
CREATE INDEX awards_person_idx ON awards (person_id, year) WHERE person_id IS NOT NULL;
CREATE INDEX awards_org_idx ON awards (organization_id, year) WHERE organization_id IS NOT NULL;
CREATE INDEX awards_decision_idx ON awards (decision_id);

-- C0: the shipped rule sets (TITLES.md). Defaults where the sources are
-- not certain are parameters here, never literals in code.
INSERT INTO rule_sets (id, code, version, scope, name, legal_basis, effective_from, effective_to, params) VALUES
 ('00000000-0000-7000-8000-000000002017', 'vn-2017', 1, 'national', 'Quy định theo Nghị định 91/2017/NĐ-CP', 'Luật Thi đua, Khen thưởng 2003 (sửa đổi 2013); Nghị định 91/2017/NĐ-CP', '2000-01-01', '2023-12-31', '{"ldttMinMonths":10,"ldttMaxAbsentDays":40,"cstdcsCapPercent":null,"cstdTinhConsecutiveYears":3,"cstdToanQuocConsecutive":2,"cstdToanQuocMaxGapYears":3,"ttldttMinSharePercent":50,"ttldttShareStrict":true,"ttldxsMinSharePercent":70,"ttldxsRequiresCstdcs":true,"ttldxsCapPercent":null,"flagMaxPerBloc":1,"bangKhenTinhConsecutiveYears":2,"bangKhenTinhInitiatives":2,"bangKhenTtgYears":5,"bangKhenTtgCstdcs":3}'),
 ('00000000-0000-7000-8000-000000002024', 'vn-2024', 1, 'national', 'Quy định theo Luật TĐKT 2022 và Nghị định 98/2023/NĐ-CP', 'Luật Thi đua, Khen thưởng số 06/2022/QH15; Nghị định 98/2023/NĐ-CP', '2024-01-01', '2025-06-30', '{"ldttMinMonths":10,"ldttMaxAbsentDays":40,"cstdcsCapPercent":null,"cstdTinhConsecutiveYears":3,"cstdToanQuocConsecutive":2,"cstdToanQuocMaxGapYears":3,"ttldttMinSharePercent":70,"ttldttShareStrict":false,"ttldxsMinSharePercent":70,"ttldxsRequiresCstdcs":false,"ttldxsCapPercent":null,"flagMaxPerBloc":1,"bangKhenTinhConsecutiveYears":2,"bangKhenTinhInitiatives":2,"bangKhenTtgYears":5,"bangKhenTtgCstdcs":3}'),
 ('00000000-0000-7000-8000-000000002025', 'vn-2025', 1, 'national', 'Quy định theo Nghị định 152/2025/NĐ-CP', 'Luật Thi đua, Khen thưởng số 06/2022/QH15; Nghị định 152/2025/NĐ-CP', '2025-07-01', NULL, '{"ldttMinMonths":10,"ldttMaxAbsentDays":40,"cstdcsCapPercent":null,"cstdTinhConsecutiveYears":3,"cstdToanQuocConsecutive":2,"cstdToanQuocMaxGapYears":3,"ttldttMinSharePercent":70,"ttldttShareStrict":false,"ttldxsMinSharePercent":70,"ttldxsRequiresCstdcs":false,"ttldxsCapPercent":null,"flagMaxPerBloc":1,"bangKhenTinhConsecutiveYears":2,"bangKhenTinhInitiatives":2,"bangKhenTtgYears":5,"bangKhenTtgCstdcs":3}');
