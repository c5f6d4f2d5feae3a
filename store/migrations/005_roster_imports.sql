-- Roster imports (issue 7): one row per roster file stored for an event.
-- The file's SHA-256 is unique per event, so uploading the same file twice
-- is refused as a duplicate roster instead of doubling it; the per-person
-- identity check (contestants_identity) catches a re-saved copy. Rows of a
-- rejected file are never recorded: an import is all or nothing. Same
-- portable SQL as schema.sql.
CREATE TABLE roster_imports (
    id            INTEGER PRIMARY KEY /*!40101 AUTO_INCREMENT */,
    event_id      INTEGER      NOT NULL,
    file_name     VARCHAR(255) NOT NULL,
    sha256        VARCHAR(64)  NOT NULL,            -- hex SHA-256 of the file's bytes
    contestants   INTEGER      NOT NULL,            -- people the file added
    actor         VARCHAR(100) NOT NULL,
    imported_at   BIGINT       NOT NULL,
    CONSTRAINT roster_imports_file UNIQUE (event_id, sha256),
    CONSTRAINT roster_imports_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;
