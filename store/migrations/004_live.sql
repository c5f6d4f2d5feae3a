-- Live leaderboards (issue 5): what the public may see of an event's
-- standings. One row per event that has left the default (live, anonymous)
-- state; no row means exactly that default. Every change to a row also
-- advances events.revision in the same transaction, so spectator streams see
-- it in revision order like any mark. Same portable SQL as schema.sql.
CREATE TABLE live_states (
    event_id        INTEGER      NOT NULL PRIMARY KEY,
    published_at    BIGINT,                          -- results decrypted and published: masked names and 单位 shown
    freeze_at       BIGINT,                          -- from this time the public view stops changing
    frozen_revision BIGINT,                          -- the event revision the frozen public board shows
    frozen_board    TEXT,                            -- that board (JSON rows), captured once when the freeze began
    ceremony_step   INTEGER      NOT NULL DEFAULT -1, -- -1: no ceremony; n ≥ 0: the last n places of each group revealed
    updated_at      BIGINT       NOT NULL,
    CONSTRAINT live_states_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;
