-- Sessions (场次) and 检录 (issue 14). Same portable SQL as schema.sql.

-- An event's 参赛证号: the number printed on a contestant's entry card and
-- typed at 检录. Kept apart from the anonymous codes (加密号), which a
-- contestant's card must not reveal.
CREATE TABLE entry_cards (
    id            INTEGER PRIMARY KEY /*!40101 AUTO_INCREMENT */,
    event_id      INTEGER      NOT NULL,
    contestant_id INTEGER      NOT NULL,
    entry_no      VARCHAR(32)  NOT NULL,
    created_at    BIGINT       NOT NULL,
    CONSTRAINT entry_cards_no UNIQUE (event_id, entry_no),
    CONSTRAINT entry_cards_contestant UNIQUE (contestant_id),
    CONSTRAINT entry_cards_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE,
    CONSTRAINT entry_cards_person FOREIGN KEY (contestant_id) REFERENCES contestants (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

-- One sitting at a venue: its stations, module and local times.
CREATE TABLE sessions (
    id            INTEGER PRIMARY KEY /*!40101 AUTO_INCREMENT */,
    event_id      INTEGER      NOT NULL,
    code          VARCHAR(32)  NOT NULL,            -- S01
    name          VARCHAR(100) NOT NULL,            -- 第一场 生活照护
    venue         VARCHAR(100) NOT NULL DEFAULT '', -- 赛场
    module        VARCHAR(32)  NOT NULL DEFAULT '', -- module code, '' for none
    stations      TEXT         NOT NULL,            -- the stations in use, comma separated
    day           VARCHAR(10)  NOT NULL,            -- YYYY-MM-DD, local, no zone
    starts        VARCHAR(5)   NOT NULL,            -- HH:MM local
    ends          VARCHAR(5)   NOT NULL,
    position      INTEGER      NOT NULL,
    closed_at     BIGINT,                           -- 检录 closed: absences recorded
    closed_by     VARCHAR(100),
    CONSTRAINT sessions_code UNIQUE (event_id, code),
    CONSTRAINT sessions_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

CREATE TABLE session_entries (
    id            INTEGER PRIMARY KEY /*!40101 AUTO_INCREMENT */,
    session_id    INTEGER      NOT NULL,
    contestant_id INTEGER      NOT NULL,
    station       VARCHAR(32)  NOT NULL DEFAULT '',
    position      INTEGER      NOT NULL,
    CONSTRAINT session_entries_one UNIQUE (session_id, contestant_id),
    CONSTRAINT session_entries_session FOREIGN KEY (session_id) REFERENCES sessions (id) ON DELETE CASCADE,
    CONSTRAINT session_entries_person FOREIGN KEY (contestant_id) REFERENCES contestants (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;
CREATE INDEX session_entries_contestant ON session_entries (contestant_id);

-- Every 检录 attempt, kept: the latest row of a contestant in a session is
-- its state. method: code (参赛证号 + last 4 of the 证件号码) | qr (entry
-- card) | chief (the chief's decision on 人证不符) | close (absent at close).
CREATE TABLE checkins (
    id            INTEGER PRIMARY KEY /*!40101 AUTO_INCREMENT */,
    event_id      INTEGER      NOT NULL,
    session_id    INTEGER      NOT NULL,
    contestant_id INTEGER      NOT NULL,
    outcome       VARCHAR(20)  NOT NULL,            -- present | absent | identity_mismatch
    method        VARCHAR(16)  NOT NULL,
    note          VARCHAR(200) NOT NULL DEFAULT '',
    at            BIGINT       NOT NULL,
    by_user       VARCHAR(100) NOT NULL,
    CONSTRAINT checkins_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE,
    CONSTRAINT checkins_session FOREIGN KEY (session_id) REFERENCES sessions (id) ON DELETE CASCADE,
    CONSTRAINT checkins_person FOREIGN KEY (contestant_id) REFERENCES contestants (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;
CREATE INDEX checkins_session ON checkins (session_id, contestant_id);
