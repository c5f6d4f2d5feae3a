-- 仲裁 (issue 16): the appeals filed at the venue within a window after a
-- module ends, heard and decided by the 仲裁 of the 监督仲裁组
-- (docs/oversight-arbitration.md). Apart from the 公示 appeals (008).
-- Same portable SQL as schema.sql.

-- The filing window per event, in minutes (no row: the default, 120).
CREATE TABLE arbitration_settings (
    event_id        INTEGER      NOT NULL PRIMARY KEY,
    window_minutes  INTEGER      NOT NULL,
    updated_at      BIGINT       NOT NULL,
    updated_by      VARCHAR(100) NOT NULL,
    CONSTRAINT arbitration_settings_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

-- One appeal filed on site. The module's end and the deadline are kept as
-- reckoned at filing. Once decided (upheld | rejected) a row never changes:
-- the decision is final.
CREATE TABLE arbitrations (
    id              INTEGER PRIMARY KEY /*!40101 AUTO_INCREMENT */,
    event_id        INTEGER      NOT NULL,
    case_no         INTEGER      NOT NULL,            -- 1, 2, … per event
    kind            VARCHAR(16)  NOT NULL,            -- score | equipment | staff | rules | other
    module_id       INTEGER      NOT NULL,
    contestant_id   INTEGER,                          -- the contestant concerned, if any
    appellant_role  VARCHAR(16)  NOT NULL,            -- contestant | leader
    appellant       VARCHAR(100) NOT NULL,
    appellant_org   VARCHAR(200) NOT NULL DEFAULT '',
    facts           TEXT         NOT NULL,
    module_end      BIGINT,                           -- NULL: the module had not ended
    end_basis       VARCHAR(200) NOT NULL DEFAULT '',
    deadline        BIGINT,
    filed_at        BIGINT       NOT NULL,
    filed_by        VARCHAR(100) NOT NULL,
    status          VARCHAR(16)  NOT NULL,            -- filed | heard | upheld | rejected
    reasons         TEXT,
    measures        TEXT,
    remark_sheets   VARCHAR(400),                     -- upheld score appeal: sheet ids reopened, comma-separated
    decided_at      BIGINT,
    decided_by      VARCHAR(100),
    decider_name    VARCHAR(100),
    CONSTRAINT arbitrations_no UNIQUE (event_id, case_no),
    CONSTRAINT arbitrations_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE,
    CONSTRAINT arbitrations_module FOREIGN KEY (module_id) REFERENCES modules (id) ON DELETE CASCADE,
    CONSTRAINT arbitrations_contestant FOREIGN KEY (contestant_id) REFERENCES contestants (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

-- The hearings of a case, append-only, before its decision.
CREATE TABLE arbitration_hearings (
    id              INTEGER PRIMARY KEY /*!40101 AUTO_INCREMENT */,
    arbitration_id  INTEGER      NOT NULL,
    heard_at        BIGINT       NOT NULL,
    heard           VARCHAR(1000) NOT NULL,           -- who was heard
    findings        TEXT         NOT NULL,
    recorded_at     BIGINT       NOT NULL,
    recorded_by     VARCHAR(100) NOT NULL,
    CONSTRAINT arbitration_hearings_case FOREIGN KEY (arbitration_id) REFERENCES arbitrations (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;
CREATE INDEX arbitration_hearings_case ON arbitration_hearings (arbitration_id);
