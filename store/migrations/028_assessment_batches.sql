-- Assessment batches (职业技能等级认定批次, issue 15): the foundation the
-- batch, admission, pass, approval, 督导 and reporting work builds on. Same
-- portable SQL as schema.sql. A batch is an event of kind 'assessment'
-- (occupation, its code, 工种 = specialty, level, starts_on, venue are the
-- event's); this table holds what an assessment body records besides.
CREATE TABLE batches (
    event_id       INTEGER      NOT NULL PRIMARY KEY,
    batch_no       VARCHAR(32)  NOT NULL,             -- the body's 批次号, e.g. 2026-KY-012
    ends_on        VARCHAR(10)  NOT NULL DEFAULT '',  -- last day, YYYY-MM-DD ('' = one day)
    publicity_days INTEGER      NOT NULL DEFAULT 5,   -- 公示 in working days
    retake_months  INTEGER      NOT NULL DEFAULT 12,  -- a passed part carries to a 补考 this long
    created_at     BIGINT       NOT NULL,
    updated_at     BIGINT       NOT NULL,
    CONSTRAINT batches_no UNIQUE (batch_no),
    CONSTRAINT batches_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

-- 考场: an exam room of a batch at a site (考点), with its seats.
CREATE TABLE exam_rooms (
    id             INTEGER PRIMARY KEY /*!40101 AUTO_INCREMENT */,
    event_id       INTEGER      NOT NULL,
    code           VARCHAR(32)  NOT NULL,             -- K01
    site           VARCHAR(100) NOT NULL DEFAULT '',  -- 考点
    name           VARCHAR(100) NOT NULL,             -- 第一考场（实训楼 301）
    seats          INTEGER      NOT NULL,
    position       INTEGER      NOT NULL,
    CONSTRAINT exam_rooms_code UNIQUE (event_id, code),
    CONSTRAINT exam_rooms_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

-- What an office asks of a candidate (考生) beyond the contestant row:
-- 民族, 文化程度, 考生来源, 申报条件 and the current level's certificate.
CREATE TABLE candidates (
    contestant_id  INTEGER      NOT NULL PRIMARY KEY,
    event_id       INTEGER      NOT NULL,
    ethnicity      VARCHAR(20)  NOT NULL DEFAULT '',  -- 民族, e.g. 汉族
    education      VARCHAR(20)  NOT NULL DEFAULT '',  -- 文化程度, e.g. 大专
    source         VARCHAR(8)   NOT NULL DEFAULT 'new', -- 考生来源: new 新考 | retake 补考
    qualification  VARCHAR(200) NOT NULL DEFAULT '',  -- 申报条件 as declared
    level_cert_no  VARCHAR(32)  NOT NULL DEFAULT '',  -- the current level's certificate number
    CONSTRAINT candidates_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE,
    CONSTRAINT candidates_person FOREIGN KEY (contestant_id) REFERENCES contestants (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;
CREATE INDEX candidates_event ON candidates (event_id);
