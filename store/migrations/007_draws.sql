-- The draw (加密) and decryption (解密), issue 7. draws (schema.sql) keeps
-- each layer's seed; draw_deals keeps what every contestant drew in each
-- layer, so the layer-1 code stays known after a second draw (二次加密)
-- replaces the code judges see in contestants.code, and the sealed draw
-- sheet can be printed again. decryptions records the organizer revealing
-- names; one row per event, written once. Same portable SQL as schema.sql.
CREATE TABLE draw_deals (
    event_id      INTEGER      NOT NULL,
    layer         INTEGER      NOT NULL,
    contestant_id INTEGER      NOT NULL,
    code          VARCHAR(32)  NOT NULL,
    station       VARCHAR(32),                      -- layer 1 only
    PRIMARY KEY (event_id, layer, contestant_id),
    CONSTRAINT draw_deals_code UNIQUE (event_id, layer, code),
    CONSTRAINT draw_deals_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE,
    CONSTRAINT draw_deals_contestant FOREIGN KEY (contestant_id) REFERENCES contestants (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

CREATE TABLE decryptions (
    event_id      INTEGER      NOT NULL PRIMARY KEY,
    decrypted_at  BIGINT       NOT NULL,
    decrypted_by  VARCHAR(100) NOT NULL,
    CONSTRAINT decryptions_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;
