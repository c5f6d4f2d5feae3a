-- 赛场记录 (issue 16): incidents per station and session, entered by the
-- station's judges on their tablet or by the chief judge, acknowledged by
-- the contestant. Same portable SQL as schema.sql.

-- Append-only as to what happened: kind, time, time added and description
-- never change. A correction is a new row whose corrects names the row it
-- corrects (each row corrected at most once, so corrections form a chain).
-- Only the acknowledgment moves, once out of 'pending' (and 'paper' may
-- still become 'refused'). Session and the enterer are kept by value, as
-- entered.
CREATE TABLE incidents (
    id                 INTEGER PRIMARY KEY /*!40101 AUTO_INCREMENT */,
    event_id           INTEGER      NOT NULL,
    incident_no        INTEGER      NOT NULL,            -- 1, 2, … per event
    session_code       VARCHAR(32)  NOT NULL,
    session_label      VARCHAR(200) NOT NULL,
    station            VARCHAR(32)  NOT NULL,
    contestant_id      INTEGER      NOT NULL,
    kind               VARCHAR(16)  NOT NULL,            -- equipment | breach | left | safety | other
    occurred           VARCHAR(5)   NOT NULL,            -- HH:MM, local time at the venue
    added_seconds      INTEGER      NOT NULL DEFAULT 0,  -- time added (equipment faults only)
    description        VARCHAR(2000) NOT NULL,
    corrects           INTEGER,                          -- the entry this one corrects
    correction_reason  VARCHAR(800) NOT NULL DEFAULT '',
    entered_by         VARCHAR(100) NOT NULL,            -- actor: judge:ID or a username
    entered_name       VARCHAR(100) NOT NULL,
    entered_role       VARCHAR(16)  NOT NULL,            -- judge | chief
    entered_at         BIGINT       NOT NULL,
    ack                VARCHAR(16)  NOT NULL DEFAULT 'pending', -- pending | pin | paper | refused
    ack_at             BIGINT,
    ack_by             VARCHAR(100) NOT NULL DEFAULT '',
    ack_note           VARCHAR(800) NOT NULL DEFAULT '',
    ack_failures       INTEGER      NOT NULL DEFAULT 0,  -- wrong PINs typed on the tablet
    CONSTRAINT incidents_no UNIQUE (event_id, incident_no),
    CONSTRAINT incidents_once UNIQUE (corrects),
    CONSTRAINT incidents_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE,
    CONSTRAINT incidents_contestant FOREIGN KEY (contestant_id) REFERENCES contestants (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;
CREATE INDEX incidents_session ON incidents (event_id, session_code);
