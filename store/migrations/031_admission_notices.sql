-- Admission (准考证, issue 15): the exam rules notice (考生须知) a batch
-- prints on every candidate's 准考证. Each assessment body has rules of its
-- own; no row means the default text the program carries. Same portable SQL
-- as schema.sql.
CREATE TABLE admission_notices (
    event_id    INTEGER      NOT NULL PRIMARY KEY,
    body        TEXT         NOT NULL,  -- one rule per line, as printed
    updated_at  BIGINT       NOT NULL,
    updated_by  VARCHAR(100) NOT NULL,
    CONSTRAINT admission_notices_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;
