-- The signed paper trail (issue 16): an event's settings for its printed
-- 评分记录表. One row per event; no row is the default (the contestant
-- does not sign). Same portable SQL as schema.sql.
CREATE TABLE paper_settings (
    event_id          INTEGER      NOT NULL PRIMARY KEY,
    contestant_signs  INTEGER      NOT NULL DEFAULT 0,  -- 1: a line for the contestant's signature too
    updated_at        BIGINT       NOT NULL,
    updated_by        VARCHAR(100) NOT NULL,
    CONSTRAINT paper_settings_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;
