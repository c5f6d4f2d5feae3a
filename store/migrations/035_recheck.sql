-- 成绩复核 (issue 16): a 监督 checks a sample of the score sheets against
-- the paper before publication (docs/oversight-recheck.md). Same portable
-- SQL as schema.sql.

-- An event's 复核 settings. No row: the defaults with the 复核 not
-- required (recheck.Defaults gives a new competition its row at set-up).
-- Percents are fixed-point in 1/10000 (15 % = 150000), as module weights.
CREATE TABLE recheck_settings (
    event_id        INTEGER      NOT NULL PRIMARY KEY,
    required        SMALLINT     NOT NULL,            -- 1: publication waits for the signed-off 复核
    top_n           INTEGER      NOT NULL,            -- every sheet of ranks 1..top_n of each group
    sample_pct      BIGINT       NOT NULL,            -- at least this share of the rest, rounded up
    escalation_pct  BIGINT       NOT NULL,            -- more than this share flagged: check every sheet
    updated_at      BIGINT       NOT NULL,
    updated_by      VARCHAR(100) NOT NULL,
    CONSTRAINT recheck_settings_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

-- Competitions not yet published when this step runs get the 复核 they
-- would get today; published or final ones stay as they were (no row).
INSERT INTO recheck_settings (event_id, required, top_n, sample_pct, escalation_pct, updated_at, updated_by)
SELECT e.id, 1, 10, 150000, 50000, e.updated_at, 'migration-035' FROM events e
WHERE e.kind = 'competition'
  AND NOT EXISTS (SELECT 1 FROM live_states l WHERE l.event_id = e.id AND l.published_at IS NOT NULL)
  AND NOT EXISTS (SELECT 1 FROM finals f WHERE f.event_id = e.id);

-- One 复核 per event: the seed and thresholds it was drawn with, the
-- counts of the draw, the escalation and the 监督's sign-off.
CREATE TABLE recheck_rounds (
    id                 INTEGER PRIMARY KEY /*!40101 AUTO_INCREMENT */,
    event_id           INTEGER      NOT NULL,
    seed               VARCHAR(128) NOT NULL,            -- hex, as the draw's
    top_n              INTEGER      NOT NULL,
    sample_pct         BIGINT       NOT NULL,
    escalation_pct     BIGINT       NOT NULL,
    top_count          INTEGER      NOT NULL,            -- sheets of the top N
    rest_count         INTEGER      NOT NULL,            -- the other sheets
    drawn_count        INTEGER      NOT NULL,            -- sampled of those
    started_at         BIGINT       NOT NULL,
    started_by         VARCHAR(100) NOT NULL,
    escalated_at       BIGINT,                           -- whole event added to the 复核
    escalated_flagged  INTEGER      NOT NULL DEFAULT 0,  -- flagged of the sample then
    signed_off_at      BIGINT,
    signed_off_by      VARCHAR(100),                     -- the 监督's username
    signed_off_name    VARCHAR(100),
    CONSTRAINT recheck_rounds_event UNIQUE (event_id),
    CONSTRAINT recheck_rounds_event_fk FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

-- One checked sheet. The checker gives the verdict; a flagged sheet is
-- corrected by the chief judge with a reason (the sheet is reopened by the
-- usual path); the checker never changes marks.
CREATE TABLE recheck_items (
    id            INTEGER PRIMARY KEY /*!40101 AUTO_INCREMENT */,
    round_id      INTEGER      NOT NULL,
    sheet_id      INTEGER      NOT NULL,
    reason        VARCHAR(16)  NOT NULL,            -- top | sample | escalation | added
    verdict       VARCHAR(16)  NOT NULL DEFAULT '', -- '' (to check) | confirmed | flagged
    category      VARCHAR(16)  NOT NULL DEFAULT '', -- flagged: transcription | arithmetic | rule
    note          VARCHAR(500) NOT NULL DEFAULT '',
    checked_at    BIGINT,
    checked_by    VARCHAR(100),
    correction    VARCHAR(500) NOT NULL DEFAULT '', -- the chief judge's reason
    corrected_at  BIGINT,
    corrected_by  VARCHAR(100),
    CONSTRAINT recheck_items_sheet UNIQUE (round_id, sheet_id),
    CONSTRAINT recheck_items_round FOREIGN KEY (round_id) REFERENCES recheck_rounds (id) ON DELETE CASCADE,
    CONSTRAINT recheck_items_sheet_fk FOREIGN KEY (sheet_id) REFERENCES sheets (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;
