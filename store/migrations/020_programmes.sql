-- Programmes (大赛) and per-scope roles (issue 14): the foundation the
-- programme, roles and event-level work build on. Same portable SQL as
-- schema.sql. An event of an earlier release stands alone (programme_id
-- NULL) and keeps working unchanged.

-- A programme holds many events (赛项) sharing its delegations.
CREATE TABLE programmes (
    id            INTEGER PRIMARY KEY /*!40101 AUTO_INCREMENT */,
    code          VARCHAR(64)  NOT NULL,            -- URL slug, e.g. jx-zyjn-2026
    name          VARCHAR(200) NOT NULL,            -- 江西省第二届职业技能大赛
    year          INTEGER      NOT NULL,
    rules         TEXT         NOT NULL,            -- the programme's result rules (JSON: delegation table, 团体奖)
    created_at    BIGINT       NOT NULL,
    updated_at    BIGINT       NOT NULL,
    CONSTRAINT programmes_code UNIQUE (code)
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

-- 代表队: a 设区市, an industry or a unit, shared by the programme's events.
CREATE TABLE delegations (
    id            INTEGER PRIMARY KEY /*!40101 AUTO_INCREMENT */,
    programme_id  INTEGER      NOT NULL,
    code          VARCHAR(32)  NOT NULL,
    name          VARCHAR(100) NOT NULL,            -- 南昌市代表队
    kind          VARCHAR(16)  NOT NULL DEFAULT 'city', -- city | industry | unit
    position      INTEGER      NOT NULL DEFAULT 0,
    CONSTRAINT delegations_code UNIQUE (programme_id, code),
    CONSTRAINT delegations_name UNIQUE (programme_id, name),
    CONSTRAINT delegations_programme FOREIGN KEY (programme_id) REFERENCES programmes (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

ALTER TABLE events ADD COLUMN programme_id INTEGER REFERENCES programmes (id);
CREATE INDEX events_programme ON events (programme_id);

-- A contestant of a programme's event belongs to one delegation.
ALTER TABLE contestants ADD COLUMN delegation_id INTEGER REFERENCES delegations (id);
CREATE INDEX contestants_delegation ON contestants (delegation_id);

-- A role held over one scope: the whole site (both ids NULL), a programme
-- (all its events) or one event. users.role stays as the role a user was
-- created with; what a user may do is decided by these grants.
CREATE TABLE user_grants (
    id            INTEGER PRIMARY KEY /*!40101 AUTO_INCREMENT */,
    user_id       INTEGER      NOT NULL,
    role          VARCHAR(16)  NOT NULL,            -- organizer | chief | scorekeeper | observer
    programme_id  INTEGER,
    event_id      INTEGER,
    created_at    BIGINT       NOT NULL,
    created_by    VARCHAR(100) NOT NULL,
    CONSTRAINT user_grants_one UNIQUE (user_id, role, programme_id, event_id),
    CONSTRAINT user_grants_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT user_grants_programme FOREIGN KEY (programme_id) REFERENCES programmes (id) ON DELETE CASCADE,
    CONSTRAINT user_grants_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;
CREATE INDEX user_grants_user ON user_grants (user_id);

-- Every user of an earlier release keeps what it could do: a site-wide
-- grant of its role.
INSERT INTO user_grants (user_id, role, programme_id, event_id, created_at, created_by)
    SELECT id, role, NULL, NULL, created_at, 'upgrade' FROM users;
