-- /healthz proves the write path (issue 11): each check commits an update of
-- this one row, so an unwritable or full disk, or a dropped database, answers
-- 503 instead of "database ok". Same portable SQL as schema.sql.
CREATE TABLE health (
    id      INTEGER NOT NULL PRIMARY KEY,
    writes  BIGINT  NOT NULL                        -- checks committed so far
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

INSERT INTO health (id, writes) VALUES (1, 0);
