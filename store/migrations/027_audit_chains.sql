-- One audit chain per event, plus one for system-wide entries (event_id
-- NULL), instead of one chain for the whole trail (issue 14, scale): every
-- transaction of every event locked the one head row, so unrelated events'
-- writes queued behind each other on MariaDB. Same portable SQL as
-- schema.sql.
--
-- Entries written before this step keep their place in the single chain,
-- now the legacy chain: linked by id and verified exactly as before, against
-- its head kept as chain -1. New entries carry seq, their position in their
-- own chain; their hash covers the chain (the event) and seq instead of the
-- id, which the database now assigns, so appends to different chains need
-- nothing in common.
ALTER TABLE audit_log ADD COLUMN seq BIGINT;                 -- NULL for a legacy entry

CREATE INDEX audit_log_chain ON audit_log (event_id, seq);

-- One head per chain: the position and hash of its last entry. Appending
-- updates the chain's head in the same transaction, which serialises appends
-- to that chain (and only to it), so no chain forks.
CREATE TABLE audit_chains (
    chain         BIGINT       NOT NULL PRIMARY KEY,         -- the event's id; 0 system-wide; -1 legacy
    seq           BIGINT       NOT NULL,                     -- last entry's seq (legacy: its id)
    hash          VARCHAR(64)  NOT NULL
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

INSERT INTO audit_chains (chain, seq, hash) SELECT -1, last_id, hash FROM audit_head WHERE id = 1;
INSERT INTO audit_chains (chain, seq, hash) VALUES (0, 0, '0000000000000000000000000000000000000000000000000000000000000000');
INSERT INTO audit_chains (chain, seq, hash)
    SELECT id, 0, '0000000000000000000000000000000000000000000000000000000000000000' FROM events;

DROP TABLE audit_head;

ALTER TABLE audit_chains RENAME TO audit_head;
