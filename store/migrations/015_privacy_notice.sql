-- Notice and legal basis, retention (issue 13). 个人信息保护法 asks for a
-- notice before personal data is collected, a legal basis for processing it
-- and a limited retention. Same portable SQL as schema.sql.
--
-- privacy_settings: one row per event once the organizer changes anything;
-- no row means the defaults (the notice names "{赛事名称}组委会", retention
-- 1095 days). retention_days counts from the event's final results (finals):
-- after it, personal data is removed or de-identified (skillscore purge).
CREATE TABLE privacy_settings (
    event_id        INTEGER      NOT NULL PRIMARY KEY,
    organizer       VARCHAR(200) NOT NULL DEFAULT '', -- 个人信息处理者 as the notice names it; '' = {赛事名称}组委会
    contact         VARCHAR(200) NOT NULL DEFAULT '', -- how a person reaches the organizer about their data
    retention_days  INTEGER      NOT NULL DEFAULT 1095, -- 30..3650, after the final results
    updated_at      BIGINT       NOT NULL,
    updated_by      VARCHAR(100) NOT NULL,
    CONSTRAINT privacy_settings_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

-- privacy_notices: the event's notice (告知书) to contestants, one row per
-- version, never updated: an edit adds the next version, so an import can
-- name the text its contestants were shown. No row means the default
-- template. body keeps the organizer's placeholders ({赛事名称} …), filled
-- when the notice is shown.
CREATE TABLE privacy_notices (
    id            INTEGER PRIMARY KEY /*!40101 AUTO_INCREMENT */,
    event_id      INTEGER      NOT NULL,
    version       INTEGER      NOT NULL,            -- 1, 2, … per event
    body          TEXT         NOT NULL,
    created_at    BIGINT       NOT NULL,
    created_by    VARCHAR(100) NOT NULL,
    CONSTRAINT privacy_notices_version UNIQUE (event_id, version),
    CONSTRAINT privacy_notices_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

-- What a roster import rests on: the legal basis the organizer confirmed
-- (consent 报名同意 | contract 履行合同 | duty 法定职责; '' for imports made
-- before this was recorded), the notice version shown to the contestants
-- (NULL: the default template) and the SHA-256 of the notice's text as it
-- then read (placeholders filled), which proves the words even after the
-- settings change. notice_id has no foreign key: both tables go with their
-- event, and MySQL's cascade order must not trip over it.
ALTER TABLE roster_imports ADD COLUMN basis VARCHAR(16) NOT NULL DEFAULT '';
ALTER TABLE roster_imports ADD COLUMN notice_id INTEGER;
ALTER TABLE roster_imports ADD COLUMN notice_sha256 VARCHAR(64) NOT NULL DEFAULT '';
