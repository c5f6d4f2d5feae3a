-- The results workflow (issue 7): the publication period (公示) gets an end,
-- appeals (申诉) are filed within it and decided, and the final results are
-- recorded once no appeal is open. Same portable SQL as schema.sql.
ALTER TABLE live_states ADD COLUMN publication_ends_at BIGINT;

CREATE TABLE appeals (
    id            INTEGER PRIMARY KEY /*!40101 AUTO_INCREMENT */,
    event_id      INTEGER      NOT NULL,
    contestant_id INTEGER      NOT NULL,
    source        VARCHAR(16)  NOT NULL,            -- organizer | contestant
    body          TEXT         NOT NULL,            -- what the appeal asks, as written
    filed_at      BIGINT       NOT NULL,
    filed_by      VARCHAR(100) NOT NULL,
    status        VARCHAR(16)  NOT NULL DEFAULT 'open', -- open | rejected | remark
    reason        TEXT,                             -- the decision's reason
    sheets        TEXT,                             -- re-mark: the sheet ids reopened, comma-separated
    decided_at    BIGINT,
    decided_by    VARCHAR(100),
    CONSTRAINT appeals_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE,
    CONSTRAINT appeals_contestant FOREIGN KEY (contestant_id) REFERENCES contestants (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

CREATE INDEX appeals_event_status ON appeals (event_id, status);

CREATE TABLE finals (
    event_id      INTEGER      NOT NULL PRIMARY KEY,
    finalized_at  BIGINT       NOT NULL,
    finalized_by  VARCHAR(100) NOT NULL,
    CONSTRAINT finals_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;
