-- Evidence (issue 16): photos and short clips attached to a target of an
-- event — a score sheet, a 公示 appeal (and, once merged, an incident of the
-- 赛场记录 and an on-site 仲裁 appeal). The files live in a content-addressed
-- directory beside the database (evidence/<first two hex digits>/<sha256>),
-- never in a table; each row names its file by the SHA-256 checked on every
-- read. The same file attached twice to one target is one row
-- (evidence_once). target_id has no foreign key: targets live in several
-- tables, and the store checks each through its registry (store/evidence.go).
-- Same portable SQL as schema.sql.
CREATE TABLE evidence (
    id            INTEGER PRIMARY KEY /*!40101 AUTO_INCREMENT */,
    event_id      INTEGER      NOT NULL,
    target_kind   VARCHAR(16)  NOT NULL,              -- sheet | appeal (incident, onsite_appeal once merged)
    target_id     INTEGER      NOT NULL,
    sha256        CHAR(64)     NOT NULL,              -- hex, of the file; names it in the evidence store
    media         VARCHAR(8)   NOT NULL,              -- photo | clip
    content_type  VARCHAR(32)  NOT NULL,              -- from the content, never the file name
    size_bytes    BIGINT       NOT NULL,
    note          VARCHAR(400) NOT NULL DEFAULT '',   -- the uploader's few words (what the picture shows)
    created_at    BIGINT       NOT NULL,
    created_by    VARCHAR(100) NOT NULL,              -- username, or judge:<id> from a tablet
    CONSTRAINT evidence_once UNIQUE (event_id, target_kind, target_id, sha256),
    CONSTRAINT evidence_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;
CREATE INDEX evidence_file ON evidence (sha256);
