-- Holders' photos (issue 13, personal data protected by design). The photo
-- store is a directory of files named by an opaque random id, never by the
-- 证件号码; this table ties a contestant to their one current photo and
-- records what was checked on import, so every read can prove the file is
-- the one imported. A table of its own rather than a column of contestants:
-- contestants is read whole into the Contestant struct, and a photo's facts
-- (checksum, type, size) belong together. Same portable SQL as schema.sql.
CREATE TABLE photos (
    id            VARCHAR(40)  NOT NULL PRIMARY KEY,  -- opaque: 32 hex digits from crypto/rand
    contestant_id INTEGER      NOT NULL,
    file_name     VARCHAR(64)  NOT NULL,              -- the file in the photo store: id + .jpg | .png
    sha256        CHAR(64)     NOT NULL,              -- of the file, checked on every read
    content_type  VARCHAR(32)  NOT NULL,              -- image/jpeg | image/png, from the content
    width         INTEGER      NOT NULL,              -- pixels
    height        INTEGER      NOT NULL,
    size_bytes    BIGINT       NOT NULL,
    created_at    BIGINT       NOT NULL,
    created_by    VARCHAR(100) NOT NULL,
    CONSTRAINT photos_contestant UNIQUE (contestant_id),
    CONSTRAINT photos_file UNIQUE (file_name),
    CONSTRAINT photos_contestant_fk FOREIGN KEY (contestant_id) REFERENCES contestants (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;
