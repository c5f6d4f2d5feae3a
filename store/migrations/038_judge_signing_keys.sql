-- Per-judge signing keys (issue 16, docs/oversight-signing.md). A judge
-- chooses a signing PIN or passphrase at first login; the organizer never
-- sees it. Same portable SQL as schema.sql.

-- A judge's Ed25519 key. Only the public key and the private key's seed
-- sealed under the judge's secret (argon2id → AES-256-GCM) are stored:
-- nothing here signs without the secret. A key the organizer resets is
-- retired, never deleted: the sheets it signed stay verifiable.
CREATE TABLE judge_signing_keys (
    id            INTEGER PRIMARY KEY /*!40101 AUTO_INCREMENT */,
    judge_id      INTEGER      NOT NULL,
    key_id        VARCHAR(32)  NOT NULL,            -- fingerprint: hex of the first 8 bytes of SHA-256(public key)
    public_key    VARCHAR(64)  NOT NULL,            -- hex, 32 bytes
    kdf           VARCHAR(200) NOT NULL,            -- argon2id$v=19$m=…,t=…,p=…$salt
    sealed        VARCHAR(200) NOT NULL,            -- base64: nonce ‖ AES-GCM(seed)
    failures      INTEGER      NOT NULL DEFAULT 0,  -- wrong secrets in a row; locked at 5
    locked_at     BIGINT,
    created_at    BIGINT       NOT NULL,
    retired_at    BIGINT,                           -- reset by the organizer: signs no more
    retired_by    VARCHAR(100) NOT NULL DEFAULT '',
    CONSTRAINT judge_signing_keys_key UNIQUE (key_id),
    CONSTRAINT judge_signing_keys_judge FOREIGN KEY (judge_id) REFERENCES judges (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

CREATE INDEX judge_signing_keys_judge ON judge_signing_keys (judge_id, retired_at);

-- What each submission of a sheet was signed with: one row per submission
-- (a reopened sheet submitted again gets another). method is
-- judge-key-ed25519 (signature by the judge's own key) or card-pin (the
-- login card's PIN; digest only). digest is the SHA-256 of the sheet's
-- canonical content (signkeys.Sheet) at submission.
CREATE TABLE sheet_signatures (
    id            INTEGER PRIMARY KEY /*!40101 AUTO_INCREMENT */,
    sheet_id      INTEGER      NOT NULL,
    judge_id      INTEGER      NOT NULL,
    method        VARCHAR(32)  NOT NULL,
    key_ref       INTEGER,                          -- judge_signing_keys.id, own-key signatures only
    digest        VARCHAR(64)  NOT NULL,
    signature     VARCHAR(128) NOT NULL DEFAULT '', -- hex Ed25519 signature; '' for card-pin
    signed_at     BIGINT       NOT NULL,            -- = the sheet's submitted_at
    CONSTRAINT sheet_signatures_sheet FOREIGN KEY (sheet_id) REFERENCES sheets (id) ON DELETE CASCADE,
    CONSTRAINT sheet_signatures_key FOREIGN KEY (key_ref) REFERENCES judge_signing_keys (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

CREATE INDEX sheet_signatures_sheet ON sheet_signatures (sheet_id, id);

-- Whether an event's judges must sign with their own key (no row: not
-- required, as before this step; the organizer's new-event page writes a
-- row requiring it).
CREATE TABLE judge_signing_settings (
    event_id      INTEGER      NOT NULL PRIMARY KEY,
    required      INTEGER      NOT NULL DEFAULT 0,
    updated_at    BIGINT       NOT NULL,
    updated_by    VARCHAR(100) NOT NULL,
    CONSTRAINT judge_signing_settings_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;
