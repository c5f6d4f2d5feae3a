-- Assessment batch set-up (issue 15, part 1): the photo a batch's office
-- asks for, and the seating of its candidates in its exam rooms (考场).
-- Same portable SQL as schema.sql.

-- The photo spec of a batch, in pixels and KB; 0 leaves the photo store's
-- own bounds (package photos). 358×441 exactly: both minimum and maximum.
ALTER TABLE batches ADD COLUMN photo_min_width INTEGER NOT NULL DEFAULT 0;
ALTER TABLE batches ADD COLUMN photo_min_height INTEGER NOT NULL DEFAULT 0;
ALTER TABLE batches ADD COLUMN photo_max_width INTEGER NOT NULL DEFAULT 0;
ALTER TABLE batches ADD COLUMN photo_max_height INTEGER NOT NULL DEFAULT 0;
ALTER TABLE batches ADD COLUMN photo_max_kb INTEGER NOT NULL DEFAULT 0;

-- How a batch's candidates were last seated: in 准考证号 order, or shuffled
-- from a recorded seed (anyone holding it re-runs the same seating), and the
-- sittings (a module with its day and times) a session was made for in
-- every room.
CREATE TABLE seatings (
    event_id       INTEGER      NOT NULL PRIMARY KEY,
    method         VARCHAR(16)  NOT NULL,             -- entry_no | seed
    seed           VARCHAR(128) NOT NULL DEFAULT '',  -- hex, for method seed
    sittings       TEXT         NOT NULL,             -- JSON: [{"module","day","starts","ends"}]
    seated         INTEGER      NOT NULL,             -- candidates given a seat
    created_at     BIGINT       NOT NULL,
    created_by     VARCHAR(100) NOT NULL,
    CONSTRAINT seatings_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

-- A candidate's room and seat (座位号), the same for every sitting. The
-- store refuses to change the rooms while anyone is seated (the seating is
-- withdrawn first); the cascade only serves an event's own deletion.
CREATE TABLE seat_assignments (
    contestant_id  INTEGER      NOT NULL PRIMARY KEY,
    event_id       INTEGER      NOT NULL,
    room_id        INTEGER      NOT NULL,
    seat           VARCHAR(8)   NOT NULL,             -- 01, 02 …
    CONSTRAINT seat_assignments_seat UNIQUE (room_id, seat),
    CONSTRAINT seat_assignments_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE,
    CONSTRAINT seat_assignments_person FOREIGN KEY (contestant_id) REFERENCES contestants (id) ON DELETE CASCADE,
    CONSTRAINT seat_assignments_room FOREIGN KEY (room_id) REFERENCES exam_rooms (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;
CREATE INDEX seat_assignments_event ON seat_assignments (event_id);
