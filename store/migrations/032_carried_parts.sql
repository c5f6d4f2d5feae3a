-- Parts carried into a 补考 (issue 15): a candidate who passed one part
-- (theory, practical, 综合评审) of an assessment and failed another retakes
-- the failed part in a later batch within the earlier batch's validity
-- period; the passed part carries over with its score and its source.
-- Written only by the organizer's 核对补考 (store/retakes.go), which
-- replaces a batch's rows as a whole. Same portable SQL as schema.sql.
--
-- Only passed parts carry, so no verdict column: a row is a pass. The
-- source is kept by value (event code, 批次号, date) and its event id has no
-- foreign key: the record must outlive the deletion of the earlier batch.
CREATE TABLE carried_parts (
    contestant_id    INTEGER      NOT NULL,             -- the candidate in this batch
    event_id         INTEGER      NOT NULL,             -- this batch
    part             VARCHAR(16)  NOT NULL,             -- theory | practical | review (modules.kind)
    score            BIGINT       NOT NULL,             -- the part's score as passed, 1/10000 point (0–100)
    source_event_id  INTEGER      NOT NULL,             -- the batch it was passed in
    source_event     VARCHAR(64)  NOT NULL,             -- its event code
    source_batch_no  VARCHAR(32)  NOT NULL,             -- its 批次号
    source_date      VARCHAR(10)  NOT NULL,             -- its date, YYYY-MM-DD (validity counts from it)
    valid_until      VARCHAR(10)  NOT NULL,             -- last day a later 补考 may still carry it
    checked_by       VARCHAR(64)  NOT NULL,             -- who ran 核对补考
    checked_at       BIGINT       NOT NULL,
    PRIMARY KEY (contestant_id, part),
    CONSTRAINT carried_parts_contestant FOREIGN KEY (contestant_id) REFERENCES contestants (id) ON DELETE CASCADE,
    CONSTRAINT carried_parts_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;
CREATE INDEX carried_parts_event ON carried_parts (event_id);

-- 核对补考 looks a candidate's earlier attempts up across batches by the
-- keyed 证件号码 index; the roster's unique key starts with event_id.
CREATE INDEX contestants_id_index ON contestants (id_index);
