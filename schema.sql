-- skillscore schema, version 1: the one schema for SQLite and MySQL/MariaDB.
--
-- Portable by construction, so it is applied unchanged to both databases:
--   * MySQL-only clauses sit in executable comments (/*! ... */); MySQL and
--     MariaDB run them, SQLite reads them as comments. That gives InnoDB,
--     utf8mb4 and AUTO_INCREMENT on MySQL without a second schema.
--   * "INTEGER PRIMARY KEY" is SQLite's rowid alias (64-bit, auto-assigned);
--     on MySQL the commented AUTO_INCREMENT does the same.
--   * Marks, weights and scores are exact fixed-point integers (BIGINT) in
--     units of 1/10000 point (scoring.Decimal); never FLOAT or DOUBLE.
--   * Timestamps are BIGINT microseconds since the Unix epoch, UTC: identical
--     on both databases, with no driver time-zone conversions in between.
--   * Text that is indexed is VARCHAR with a length (MySQL cannot index TEXT).
--
-- Later releases add numbered files under migrations/; this file is never
-- edited once a release has shipped (see store/migrate.go).

CREATE TABLE events (
    id            INTEGER PRIMARY KEY /*!40101 AUTO_INCREMENT */,
    code          VARCHAR(64)  NOT NULL,            -- URL slug, e.g. jx-ylhly-2026
    name          VARCHAR(200) NOT NULL,            -- 江西省养老护理员职业技能竞赛
    kind          VARCHAR(16)  NOT NULL,            -- competition | assessment
    occupation    VARCHAR(100) NOT NULL,            -- 养老护理员
    occupation_code VARCHAR(32) NOT NULL DEFAULT '', -- 4-10-01-05
    specialty     VARCHAR(100) NOT NULL DEFAULT '', -- 工种/职业方向, '' if none
    level         INTEGER      NOT NULL DEFAULT 0,  -- target skill level 1..5, 0 = open
    tier          VARCHAR(16)  NOT NULL DEFAULT '', -- national | provincial | city
    class         VARCHAR(16)  NOT NULL DEFAULT '', -- one | two (一类/二类)
    year          INTEGER      NOT NULL,
    venue         VARCHAR(200) NOT NULL DEFAULT '',
    starts_on     VARCHAR(10)  NOT NULL DEFAULT '', -- YYYY-MM-DD, a calendar date, no zone
    status        VARCHAR(16)  NOT NULL DEFAULT 'setup',
    rules         TEXT         NOT NULL,            -- the scoring rule document (JSON, docs/rules.md)
    revision      BIGINT       NOT NULL DEFAULT 0,  -- advanced in the same transaction as any score change
    created_at    BIGINT       NOT NULL,
    updated_at    BIGINT       NOT NULL,
    CONSTRAINT events_code UNIQUE (code)
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

-- 职工组 / 学生组: ranked and awarded separately.
CREATE TABLE event_groups (
    event_id      INTEGER      NOT NULL,
    code          VARCHAR(32)  NOT NULL,
    name          VARCHAR(100) NOT NULL,
    position      INTEGER      NOT NULL,
    PRIMARY KEY (event_id, code),
    CONSTRAINT event_groups_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

-- Modules and aspects materialise the rubric of events.rules so that sheets
-- and marks can reference them with foreign keys; the rule document stays the
-- source of their scoring behaviour.
CREATE TABLE modules (
    id            INTEGER PRIMARY KEY /*!40101 AUTO_INCREMENT */,
    event_id      INTEGER      NOT NULL,
    code          VARCHAR(32)  NOT NULL,
    name          VARCHAR(100) NOT NULL,
    kind          VARCHAR(16)  NOT NULL,            -- theory | practical | review
    weight        BIGINT       NOT NULL,            -- percent in 1/10000 (30% = 300000)
    max_marks     BIGINT       NOT NULL,            -- 1/10000 point
    imported      SMALLINT     NOT NULL DEFAULT 0,  -- 1: scores are imported, not marked by judges
    position      INTEGER      NOT NULL,
    signed_off_at BIGINT,                           -- chief judge's sign-off
    signed_off_by INTEGER,
    CONSTRAINT modules_code UNIQUE (event_id, code),
    CONSTRAINT modules_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

CREATE TABLE aspects (
    id            INTEGER PRIMARY KEY /*!40101 AUTO_INCREMENT */,
    module_id     INTEGER      NOT NULL,
    code          VARCHAR(32)  NOT NULL,
    name          VARCHAR(200) NOT NULL,
    kind          VARCHAR(16)  NOT NULL,            -- measurement | judgement | deduction | veto
    max_marks     BIGINT       NOT NULL,            -- 1/10000 point
    position      INTEGER      NOT NULL,
    CONSTRAINT aspects_code UNIQUE (module_id, code),
    CONSTRAINT aspects_module FOREIGN KEY (module_id) REFERENCES modules (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

-- 选手 / 考生. The event kind decides the word shown in the UI.
CREATE TABLE contestants (
    id            INTEGER PRIMARY KEY /*!40101 AUTO_INCREMENT */,
    event_id      INTEGER      NOT NULL,
    name          VARCHAR(100) NOT NULL,
    gender        VARCHAR(8)   NOT NULL,            -- 男 | 女
    id_type       VARCHAR(32)  NOT NULL,            -- 居民身份证 …
    id_number     VARCHAR(32)  NOT NULL,            -- sensitive: masked outside the organizer's view
    organization  VARCHAR(200) NOT NULL DEFAULT '', -- 单位
    city          VARCHAR(16)  NOT NULL DEFAULT '', -- 设区市, without the 市 suffix (南昌)
    group_code    VARCHAR(32)  NOT NULL,
    level         INTEGER      NOT NULL DEFAULT 0,  -- current skill level 1..5, 0 = none
    last_promotion_year INTEGER NOT NULL DEFAULT 0,
    code          VARCHAR(32),                      -- anonymous code (加密号), NULL until drawn
    station       VARCHAR(32),                      -- 赛位号, NULL until drawn
    completion_ms BIGINT       NOT NULL DEFAULT 0,  -- practical completion time for tie-breaks, 0 = unknown
    created_at    BIGINT       NOT NULL,
    CONSTRAINT contestants_identity UNIQUE (event_id, id_type, id_number),
    CONSTRAINT contestants_code UNIQUE (event_id, code),
    CONSTRAINT contestants_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE,
    CONSTRAINT contestants_group FOREIGN KEY (event_id, group_code) REFERENCES event_groups (event_id, code)
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

-- A recorded random draw of anonymous codes (layer 1) or a second draw (layer 2).
CREATE TABLE draws (
    id            INTEGER PRIMARY KEY /*!40101 AUTO_INCREMENT */,
    event_id      INTEGER      NOT NULL,
    layer         INTEGER      NOT NULL,
    seed          VARCHAR(128) NOT NULL,
    created_at    BIGINT       NOT NULL,
    created_by    VARCHAR(100) NOT NULL,
    CONSTRAINT draws_layer UNIQUE (event_id, layer),
    CONSTRAINT draws_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

-- 裁判员 / 考评员.
CREATE TABLE judges (
    id            INTEGER PRIMARY KEY /*!40101 AUTO_INCREMENT */,
    event_id      INTEGER      NOT NULL,
    code          VARCHAR(32)  NOT NULL,            -- J01 …, what the chief judge's grid shows
    name          VARCHAR(100) NOT NULL,
    organization  VARCHAR(200) NOT NULL DEFAULT '',
    city          VARCHAR(16)  NOT NULL DEFAULT '',
    created_at    BIGINT       NOT NULL,
    CONSTRAINT judges_code UNIQUE (event_id, code),
    CONSTRAINT judges_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

-- 裁判组: the judges of one module; chief = 1 marks the 裁判长.
CREATE TABLE panel_members (
    module_id     INTEGER      NOT NULL,
    judge_id      INTEGER      NOT NULL,
    chief         SMALLINT     NOT NULL DEFAULT 0,
    PRIMARY KEY (module_id, judge_id),
    CONSTRAINT panel_members_module FOREIGN KEY (module_id) REFERENCES modules (id) ON DELETE CASCADE,
    CONSTRAINT panel_members_judge FOREIGN KEY (judge_id) REFERENCES judges (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

-- 评分表: one judge's marks for one contestant in one module.
CREATE TABLE sheets (
    id            INTEGER PRIMARY KEY /*!40101 AUTO_INCREMENT */,
    module_id     INTEGER      NOT NULL,
    contestant_id INTEGER      NOT NULL,
    judge_id      INTEGER      NOT NULL,
    status        VARCHAR(16)  NOT NULL DEFAULT 'open', -- open | submitted | locked
    submitted_at  BIGINT,
    locked_at     BIGINT,
    created_at    BIGINT       NOT NULL,
    CONSTRAINT sheets_one UNIQUE (module_id, contestant_id, judge_id),
    CONSTRAINT sheets_module FOREIGN KEY (module_id) REFERENCES modules (id) ON DELETE CASCADE,
    CONSTRAINT sheets_contestant FOREIGN KEY (contestant_id) REFERENCES contestants (id) ON DELETE CASCADE,
    CONSTRAINT sheets_judge FOREIGN KEY (judge_id) REFERENCES judges (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

-- The current mark of one aspect on one sheet. op_id is the client-generated
-- operation id of the write that set it, unique so a replay cannot store twice.
CREATE TABLE marks (
    sheet_id      INTEGER      NOT NULL,
    aspect_id     INTEGER      NOT NULL,
    value         BIGINT       NOT NULL,            -- 1/10000; meaning per aspect kind, see docs/rules.md
    multiplier    BIGINT       NOT NULL DEFAULT 0,  -- 1/10000, 0 = none
    op_id         VARCHAR(64)  NOT NULL,
    updated_at    BIGINT       NOT NULL,
    PRIMARY KEY (sheet_id, aspect_id),
    CONSTRAINT marks_op UNIQUE (op_id),
    CONSTRAINT marks_sheet FOREIGN KEY (sheet_id) REFERENCES sheets (id) ON DELETE CASCADE,
    CONSTRAINT marks_aspect FOREIGN KEY (aspect_id) REFERENCES aspects (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

-- Every client operation ever applied, by its id: the idempotency record that
-- turns a replay into "duplicate" whatever the operation was (mark, clear, submit).
CREATE TABLE client_ops (
    op_id         VARCHAR(64)  NOT NULL PRIMARY KEY,
    event_id      INTEGER      NOT NULL,
    actor         VARCHAR(100) NOT NULL,
    kind          VARCHAR(16)  NOT NULL,
    revision      BIGINT       NOT NULL,            -- event revision the operation produced
    created_at    BIGINT       NOT NULL,
    CONSTRAINT client_ops_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

-- Scores of imported modules (the theory test), one per contestant and module.
CREATE TABLE imported_scores (
    module_id     INTEGER      NOT NULL,
    contestant_id INTEGER      NOT NULL,
    value         BIGINT       NOT NULL,            -- 1/10000 point
    source        VARCHAR(200) NOT NULL,            -- file name or system it came from
    imported_at   BIGINT       NOT NULL,
    PRIMARY KEY (module_id, contestant_id),
    CONSTRAINT imported_scores_module FOREIGN KEY (module_id) REFERENCES modules (id) ON DELETE CASCADE,
    CONSTRAINT imported_scores_contestant FOREIGN KEY (contestant_id) REFERENCES contestants (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

-- People who are not judges: organizers, chief judges, scorekeepers.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY /*!40101 AUTO_INCREMENT */,
    username      VARCHAR(64)  NOT NULL,
    name          VARCHAR(100) NOT NULL,
    role          VARCHAR(16)  NOT NULL,            -- organizer | chief | scorekeeper
    password_hash VARCHAR(255) NOT NULL,
    created_at    BIGINT       NOT NULL,
    CONSTRAINT users_username UNIQUE (username)
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

-- Append-only audit trail. Each entry's hash covers its content and the
-- previous entry's hash, so an edit of history breaks the chain.
CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY /*!40101 AUTO_INCREMENT */,
    event_id      INTEGER,                          -- NULL for system-wide entries
    at            BIGINT       NOT NULL,
    actor         VARCHAR(100) NOT NULL,
    action        VARCHAR(64)  NOT NULL,
    subject       VARCHAR(200) NOT NULL DEFAULT '',
    detail        TEXT         NOT NULL,            -- JSON
    prev_hash     VARCHAR(64)  NOT NULL,
    hash          VARCHAR(64)  NOT NULL
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

CREATE INDEX audit_log_event ON audit_log (event_id, id);

-- The head of the audit chain, one row. Appending updates it in the same
-- transaction, which serialises appends on both databases without any
-- dialect-specific locking, so the chain never forks.
CREATE TABLE audit_head (
    id            INTEGER      NOT NULL PRIMARY KEY, -- always 1
    last_id       BIGINT       NOT NULL,
    hash          VARCHAR(64)  NOT NULL
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

INSERT INTO audit_head (id, last_id, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
