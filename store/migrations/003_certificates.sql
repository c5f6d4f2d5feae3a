-- Certificates (issue 6): award and skill-level certificates, their serial
-- counters and revocations. Same portable SQL as schema.sql.

-- The last serial handed out per numbering scope (the certificate number
-- without its serial). Incrementing the row inside the issuing transaction
-- locks it, so concurrent issuers, on one instance or several, queue here
-- and a serial is never handed out twice; a rolled-back issue rolls the
-- counter back with it, so serials have no gaps either.
CREATE TABLE certificate_serials (
    scope         VARCHAR(32)  NOT NULL PRIMARY KEY,
    last_serial   BIGINT       NOT NULL
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

-- One issued certificate. facts is the signed payload exactly as signed and
-- token is what the QR code carries; both stay as issued, whatever later
-- happens to the roster. id_number is the full 证件号码 for lookups: it is
-- masked in everything shown outside the organizer's view. A certificate is
-- never deleted: revocation sets revoked_at and a reason.
CREATE TABLE certificates (
    id            INTEGER PRIMARY KEY /*!40101 AUTO_INCREMENT */,
    number        VARCHAR(32)  NOT NULL,            -- 证书编号
    kind          VARCHAR(16)  NOT NULL,            -- level | award
    event_id      INTEGER      NOT NULL,
    contestant_id INTEGER      NOT NULL,
    name          VARCHAR(100) NOT NULL,
    id_type       VARCHAR(32)  NOT NULL,
    id_number     VARCHAR(32)  NOT NULL,
    facts         TEXT         NOT NULL,            -- the signed JSON payload
    token         TEXT         NOT NULL,            -- payload + Ed25519 signature, in the QR code
    key_id        VARCHAR(32)  NOT NULL,            -- the signing key
    issued_at     BIGINT       NOT NULL,
    issued_by     VARCHAR(100) NOT NULL,
    revoked_at    BIGINT,
    revoked_reason VARCHAR(500) NOT NULL DEFAULT '',
    revoked_by    VARCHAR(100) NOT NULL DEFAULT '',
    CONSTRAINT certificates_number UNIQUE (number),
    -- One certificate of each kind per contestant of an event: re-running a
    -- batch finds it and issues nothing new.
    CONSTRAINT certificates_once UNIQUE (event_id, contestant_id, kind),
    CONSTRAINT certificates_event FOREIGN KEY (event_id) REFERENCES events (id),
    CONSTRAINT certificates_contestant FOREIGN KEY (contestant_id) REFERENCES contestants (id)
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

CREATE INDEX certificates_id_number ON certificates (id_number);
