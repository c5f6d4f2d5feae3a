-- Archives of an event's records (issue 16, docs/oversight-archive.md): one
-- row per signed ZIP built, with its digests and the retention date before
-- which the event cannot be deleted. Same portable SQL as schema.sql.
--
-- No foreign key to events: the record of an archive, like the audit trail,
-- outlives the event's deletion, and says what was kept and until when.
CREATE TABLE event_archives (
    id              INTEGER PRIMARY KEY /*!40101 AUTO_INCREMENT */,
    event_id        INTEGER      NOT NULL,
    event_code      VARCHAR(64)  NOT NULL,
    archived_at     BIGINT       NOT NULL,
    archived_by     VARCHAR(100) NOT NULL,
    zip_sha256      VARCHAR(64)  NOT NULL,            -- the whole ZIP file as written
    manifest_sha256 VARCHAR(64)  NOT NULL,            -- manifest.json inside it, the signed bytes
    audit_seq       BIGINT       NOT NULL,            -- the event's audit chain head the manifest names
    audit_hash      VARCHAR(64)  NOT NULL,
    key_id          VARCHAR(32)  NOT NULL,            -- the certificate signing key that signed it
    files           INTEGER      NOT NULL,
    bytes           BIGINT       NOT NULL,
    retain_until    BIGINT       NOT NULL             -- no deletion of the event before this moment
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

CREATE INDEX event_archives_event ON event_archives (event_id, id);
