-- Rounds (stages, issue 14): an event whose rules have `rounds` (预赛 →
-- 决赛) keeps here which round is open, who confirmed each round's
-- advancement and when, who takes part in each later round with the reason,
-- and each later round's draw (order of appearance and stations from a
-- recorded seed). Same portable SQL as schema.sql. Events without rounds
-- have no rows and work as before.

-- One row per round of the rules, kept in step with them (store/rounds.go).
CREATE TABLE event_rounds (
    event_id      INTEGER      NOT NULL,
    code          VARCHAR(32)  NOT NULL,
    name          VARCHAR(100) NOT NULL,
    position      INTEGER      NOT NULL,            -- 0 = the first round
    status        VARCHAR(16)  NOT NULL,            -- pending | open | confirmed
    opened_at     BIGINT,
    confirmed_at  BIGINT,
    confirmed_by  VARCHAR(100),
    draw_seed     VARCHAR(128),                     -- hex seed of the round's draw (later rounds)
    drawn_at      BIGINT,
    drawn_by      VARCHAR(100),
    PRIMARY KEY (event_id, code),
    CONSTRAINT event_rounds_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

-- Which round a module belongs to: marks in a module of a later round
-- (round_position > 0) need the contestant in round_entries.
CREATE TABLE round_modules (
    event_id       INTEGER     NOT NULL,
    module_code    VARCHAR(32) NOT NULL,
    round_code     VARCHAR(32) NOT NULL,
    round_position INTEGER     NOT NULL,
    PRIMARY KEY (event_id, module_code),
    CONSTRAINT round_modules_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

-- The contestants of a later round: the confirmed advancement of the round
-- before, with its reason, and their place in the round's draw.
CREATE TABLE round_entries (
    event_id      INTEGER      NOT NULL,
    round_code    VARCHAR(32)  NOT NULL,
    contestant_id INTEGER      NOT NULL,
    reason        VARCHAR(400) NOT NULL,
    appearance    INTEGER,                          -- order of appearance from the round's draw
    station       VARCHAR(32),
    PRIMARY KEY (event_id, round_code, contestant_id),
    CONSTRAINT round_entries_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE,
    CONSTRAINT round_entries_contestant FOREIGN KEY (contestant_id) REFERENCES contestants (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;
