-- 督导 (issue 15): the 督导员's records per exam room and sitting, and the
-- PIN each 督导员 signs them with. Same portable SQL as schema.sql.

-- A 督导员's signing PIN, set by the 督导员 at their first signature and
-- known to nobody else: the organizer who made the login never sees or sets
-- it (电子签名法 art. 13, docs/supervision.md). Five wrong PINs in a row lock
-- signing for a while.
CREATE TABLE signing_pins (
    user_id       INTEGER      NOT NULL PRIMARY KEY,
    pin_hash      VARCHAR(100) NOT NULL,            -- bcrypt, made by the web layer
    set_at        BIGINT       NOT NULL,
    failures      INTEGER      NOT NULL DEFAULT 0,  -- wrong PINs since the last good one
    locked_until  BIGINT,
    CONSTRAINT signing_pins_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

-- 督导记录: append-only. A correction is a new row whose supersedes names
-- the row it corrects (each row corrected at most once, so corrections form
-- a chain). Room and sitting are kept by value, as signed: rooms and
-- sessions may be re-planned, a signed record does not move. No foreign key
-- to users either: the signer's username and name are part of what was
-- signed.
CREATE TABLE supervision_records (
    id                  INTEGER PRIMARY KEY /*!40101 AUTO_INCREMENT */,
    event_id            INTEGER      NOT NULL,
    record_no           INTEGER      NOT NULL,            -- 1, 2, … per event
    room_code           VARCHAR(32)  NOT NULL DEFAULT '', -- '' = the venue names no exam room
    room_name           VARCHAR(100) NOT NULL DEFAULT '',
    session_code        VARCHAR(32)  NOT NULL,
    session_label       VARCHAR(200) NOT NULL,
    obs_order           VARCHAR(16)  NOT NULL,            -- 考场秩序: good | fair | poor
    obs_order_note      VARCHAR(500)  NOT NULL DEFAULT '',
    obs_examiners       VARCHAR(16)  NOT NULL,            -- 考评员到位: all | partial
    obs_examiners_note  VARCHAR(500)  NOT NULL DEFAULT '',
    obs_conduct         VARCHAR(16)  NOT NULL,            -- 考务执行: compliant | deviation
    obs_conduct_note    VARCHAR(500)  NOT NULL DEFAULT '',
    obs_violations      VARCHAR(16)  NOT NULL,            -- 违纪情况: none | found
    obs_violations_note VARCHAR(500)  NOT NULL DEFAULT '',
    remarks             TEXT         NOT NULL,
    expected            INTEGER      NOT NULL,            -- the sitting when signed:
    present             INTEGER      NOT NULL,            --   signed in
    absent              INTEGER      NOT NULL,            --   缺考
    sheets_done         INTEGER      NOT NULL,            --   score sheets submitted
    sheets_due          INTEGER      NOT NULL,            --   of those expected
    supersedes          INTEGER,                          -- the record this one corrects
    correction_reason   VARCHAR(500)  NOT NULL DEFAULT '',
    signer_id           INTEGER      NOT NULL,
    signer              VARCHAR(100) NOT NULL,            -- username
    signer_name         VARCHAR(100) NOT NULL,
    pin_set_at          BIGINT       NOT NULL,            -- which PIN signed
    signed_at           BIGINT       NOT NULL,
    digest              CHAR(64)     NOT NULL,            -- SHA-256 of the signed content (supervision.Digest)
    CONSTRAINT supervision_records_no UNIQUE (event_id, record_no),
    CONSTRAINT supervision_records_once UNIQUE (supersedes),
    CONSTRAINT supervision_records_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;
CREATE INDEX supervision_records_session ON supervision_records (event_id, session_code);
