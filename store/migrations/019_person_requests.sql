-- A person's own data (issue 13): corrections that re-issue certificates,
-- and the retention purge. Same portable SQL as schema.sql.

-- When a correction changed what a certificate attests (the holder's name,
-- 证件类型 or masked 证件号码), the certificate keeps its number and is
-- signed again; reissued_at is the last such re-issue, NULL for none.
ALTER TABLE certificates ADD COLUMN reissued_at BIGINT;

-- The QR tokens a re-issue replaced, so the old paper's token, still
-- correctly signed, is answered "replaced" instead of "valid". Only a
-- SHA-256 fingerprint of the signed token is kept: the token itself holds
-- the old name, and the fingerprint cannot be computed without the signing
-- key, so it tells nothing about the holder, before or after a purge.
CREATE TABLE certificate_reissues (
    id             INTEGER PRIMARY KEY /*!40101 AUTO_INCREMENT */,
    certificate_id INTEGER      NOT NULL,
    replaced_token VARCHAR(64)  NOT NULL,           -- hex SHA-256 of the replaced token's signed bytes and signature
    reissued_at    BIGINT       NOT NULL,
    reissued_by    VARCHAR(100) NOT NULL,
    CONSTRAINT certificate_reissues_token UNIQUE (replaced_token),
    CONSTRAINT certificate_reissues_certificate FOREIGN KEY (certificate_id) REFERENCES certificates (id)
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

-- The first retention purge of an event's personal data (skillscore purge).
-- A purge may run again (it is idempotent, and catches anyone added since);
-- this row keeps when it first ran, for the organizer's page.
CREATE TABLE event_purges (
    event_id      INTEGER      NOT NULL PRIMARY KEY,
    purged_at     BIGINT       NOT NULL,
    purged_by     VARCHAR(100) NOT NULL,
    CONSTRAINT event_purges_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;
