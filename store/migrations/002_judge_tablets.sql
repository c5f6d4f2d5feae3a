-- Judge tablets (issue 4): logins for people who are not judges, one-time
-- judge logins bound to a device, assignments with conflict overrides,
-- declared relations, paper double entry. Same portable SQL as schema.sql.

-- A logged-in browser of a user (organizer, chief judge, scorekeeper). Only
-- the SHA-256 of the cookie's token is stored, so a copy of the database does
-- not log anyone in.
CREATE TABLE user_sessions (
    token_hash    VARCHAR(64)  NOT NULL PRIMARY KEY,
    user_id       INTEGER      NOT NULL,
    csrf          VARCHAR(64)  NOT NULL,            -- the form token of this session
    created_at    BIGINT       NOT NULL,
    expires_at    BIGINT       NOT NULL,
    CONSTRAINT user_sessions_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

-- A one-time judge login the organizer issues: a ticket (in the QR code) and
-- a 6-digit PIN (on the judge card). Redeeming it binds one device. The PIN
-- stays the judge's signature for submitting sheets from that device.
CREATE TABLE judge_tickets (
    id            INTEGER PRIMARY KEY /*!40101 AUTO_INCREMENT */,
    judge_id      INTEGER      NOT NULL,
    ticket_hash   VARCHAR(64)  NOT NULL,
    pin_hash      VARCHAR(128) NOT NULL,            -- salt$sha256(salt, pin)
    failures      INTEGER      NOT NULL DEFAULT 0,  -- wrong PINs so far; the ticket dies at the limit
    created_at    BIGINT       NOT NULL,
    expires_at    BIGINT       NOT NULL,
    used_at       BIGINT,
    revoked_at    BIGINT,
    CONSTRAINT judge_tickets_hash UNIQUE (ticket_hash),
    CONSTRAINT judge_tickets_judge FOREIGN KEY (judge_id) REFERENCES judges (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

-- A tablet bound to a judge by redeeming a ticket. Its bearer token is
-- stored as a SHA-256 hash; revoking ends every session of the device.
CREATE TABLE judge_devices (
    token_hash    VARCHAR(64)  NOT NULL PRIMARY KEY,
    judge_id      INTEGER      NOT NULL,
    ticket_id     INTEGER      NOT NULL,
    label         VARCHAR(200) NOT NULL DEFAULT '',
    created_at    BIGINT       NOT NULL,
    revoked_at    BIGINT,
    CONSTRAINT judge_devices_judge FOREIGN KEY (judge_id) REFERENCES judges (id) ON DELETE CASCADE,
    CONSTRAINT judge_devices_ticket FOREIGN KEY (ticket_id) REFERENCES judge_tickets (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

-- Which contestants a panel judge scores in a module. A conflicting
-- assignment (回避) exists only with the organizer's written override.
CREATE TABLE assignments (
    module_id     INTEGER      NOT NULL,
    judge_id      INTEGER      NOT NULL,
    contestant_id INTEGER      NOT NULL,
    override_reason VARCHAR(500) NOT NULL DEFAULT '',
    created_at    BIGINT       NOT NULL,
    PRIMARY KEY (module_id, judge_id, contestant_id),
    CONSTRAINT assignments_module FOREIGN KEY (module_id) REFERENCES modules (id) ON DELETE CASCADE,
    CONSTRAINT assignments_judge FOREIGN KEY (judge_id) REFERENCES judges (id) ON DELETE CASCADE,
    CONSTRAINT assignments_contestant FOREIGN KEY (contestant_id) REFERENCES contestants (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

CREATE INDEX assignments_judge ON assignments (judge_id, module_id);

-- A relation a judge declared with a contestant (亲属、师生、同事 …): a conflict.
CREATE TABLE judge_relations (
    judge_id      INTEGER      NOT NULL,
    contestant_id INTEGER      NOT NULL,
    relation      VARCHAR(200) NOT NULL,
    created_at    BIGINT       NOT NULL,
    PRIMARY KEY (judge_id, contestant_id),
    CONSTRAINT judge_relations_judge FOREIGN KEY (judge_id) REFERENCES judges (id) ON DELETE CASCADE,
    CONSTRAINT judge_relations_contestant FOREIGN KEY (contestant_id) REFERENCES contestants (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

-- Paper fallback: each scorekeeper's transcription of one paper sheet. Marks
-- become final only when two different users' entries agree.
CREATE TABLE paper_entries (
    id            INTEGER PRIMARY KEY /*!40101 AUTO_INCREMENT */,
    module_id     INTEGER      NOT NULL,
    contestant_id INTEGER      NOT NULL,
    judge_id      INTEGER      NOT NULL,
    user_id       INTEGER      NOT NULL,
    marks         TEXT         NOT NULL,            -- JSON: aspect code → value (1/10000)
    created_at    BIGINT       NOT NULL,
    CONSTRAINT paper_entries_one UNIQUE (module_id, contestant_id, judge_id, user_id),
    CONSTRAINT paper_entries_module FOREIGN KEY (module_id) REFERENCES modules (id) ON DELETE CASCADE,
    CONSTRAINT paper_entries_contestant FOREIGN KEY (contestant_id) REFERENCES contestants (id) ON DELETE CASCADE,
    CONSTRAINT paper_entries_judge FOREIGN KEY (judge_id) REFERENCES judges (id) ON DELETE CASCADE,
    CONSTRAINT paper_entries_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

CREATE INDEX client_ops_actor ON client_ops (actor, created_at);

-- A tablet's hello loads that judge's sheets.
CREATE INDEX sheets_judge ON sheets (judge_id);
