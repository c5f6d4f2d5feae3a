-- 公示 by working days and the supervising office's approval (报审) of an
-- assessment batch (issue 15, part 7). Same portable SQL as schema.sql.

-- Every step of a batch's review, kept for good: the body submits (报审), a
-- reviewer (审核员) of the supervising office approves or returns it with
-- reasons; a returned batch is corrected and submitted again. The batch's
-- state is its last step. seq numbers an event's steps from 1, so two
-- reviewers deciding the same submission at once cannot both succeed: the
-- second insert of the same seq fails on the unique key.
CREATE TABLE batch_reviews (
    id             INTEGER PRIMARY KEY /*!40101 AUTO_INCREMENT */,
    event_id       INTEGER       NOT NULL,
    seq            INTEGER       NOT NULL,
    action         VARCHAR(8)    NOT NULL,             -- submit | approve | return
    actor          VARCHAR(100)  NOT NULL,             -- username
    acted_at       BIGINT        NOT NULL,
    reason         VARCHAR(1000) NOT NULL DEFAULT '',  -- a return's reasons (required); a note otherwise
    detail         TEXT,                               -- JSON: what the step saw (counts, 公示 period)
    CONSTRAINT batch_reviews_seq UNIQUE (event_id, seq),
    CONSTRAINT batch_reviews_event FOREIGN KEY (event_id) REFERENCES events (id) ON DELETE CASCADE
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

-- The working-day calendar (工作日历): Monday to Friday are working days
-- except the days listed 'holiday', and a Saturday or Sunday listed 'workday'
-- (调休上班) is one. A year with no row is not yet known: 公示 periods that
-- reach into it are refused until its schedule is entered. Organizers extend
-- it (skillscore batch calendar); the State Council announces each year's
-- schedule around November of the year before.
CREATE TABLE calendar_days (
    calendar_day   VARCHAR(10)   NOT NULL PRIMARY KEY, -- YYYY-MM-DD
    kind           VARCHAR(8)    NOT NULL,             -- holiday | workday
    name           VARCHAR(50)   NOT NULL DEFAULT '',  -- 春节, 春节调休上班
    source         VARCHAR(300)  NOT NULL DEFAULT '',  -- the notice it comes from
    updated_at     BIGINT        NOT NULL,
    updated_by     VARCHAR(100)  NOT NULL
) /*!40101 ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin */;

-- 2026: 国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04),
-- https://www.gov.cn/zhengce/content/202511/content_7047090.htm
-- (reprinted by Xinhua the same day). Every day of each holiday range is
-- listed, weekend days included, as the notice counts them.
INSERT INTO calendar_days (calendar_day, kind, name, source, updated_at, updated_by) VALUES
('2026-01-01', 'holiday', '元旦', '国务院办公厅关于2026年部分节假日安排的通知', 0, 'migration 033'),
('2026-01-02', 'holiday', '元旦', '国务院办公厅关于2026年部分节假日安排的通知', 0, 'migration 033'),
('2026-01-03', 'holiday', '元旦', '国务院办公厅关于2026年部分节假日安排的通知', 0, 'migration 033'),
('2026-01-04', 'workday', '元旦调休上班', '国务院办公厅关于2026年部分节假日安排的通知', 0, 'migration 033'),
('2026-02-14', 'workday', '春节调休上班', '国务院办公厅关于2026年部分节假日安排的通知', 0, 'migration 033'),
('2026-02-15', 'holiday', '春节', '国务院办公厅关于2026年部分节假日安排的通知', 0, 'migration 033'),
('2026-02-16', 'holiday', '春节', '国务院办公厅关于2026年部分节假日安排的通知', 0, 'migration 033'),
('2026-02-17', 'holiday', '春节', '国务院办公厅关于2026年部分节假日安排的通知', 0, 'migration 033'),
('2026-02-18', 'holiday', '春节', '国务院办公厅关于2026年部分节假日安排的通知', 0, 'migration 033'),
('2026-02-19', 'holiday', '春节', '国务院办公厅关于2026年部分节假日安排的通知', 0, 'migration 033'),
('2026-02-20', 'holiday', '春节', '国务院办公厅关于2026年部分节假日安排的通知', 0, 'migration 033'),
('2026-02-21', 'holiday', '春节', '国务院办公厅关于2026年部分节假日安排的通知', 0, 'migration 033'),
('2026-02-22', 'holiday', '春节', '国务院办公厅关于2026年部分节假日安排的通知', 0, 'migration 033'),
('2026-02-23', 'holiday', '春节', '国务院办公厅关于2026年部分节假日安排的通知', 0, 'migration 033'),
('2026-02-28', 'workday', '春节调休上班', '国务院办公厅关于2026年部分节假日安排的通知', 0, 'migration 033'),
('2026-04-04', 'holiday', '清明节', '国务院办公厅关于2026年部分节假日安排的通知', 0, 'migration 033'),
('2026-04-05', 'holiday', '清明节', '国务院办公厅关于2026年部分节假日安排的通知', 0, 'migration 033'),
('2026-04-06', 'holiday', '清明节', '国务院办公厅关于2026年部分节假日安排的通知', 0, 'migration 033'),
('2026-05-01', 'holiday', '劳动节', '国务院办公厅关于2026年部分节假日安排的通知', 0, 'migration 033'),
('2026-05-02', 'holiday', '劳动节', '国务院办公厅关于2026年部分节假日安排的通知', 0, 'migration 033'),
('2026-05-03', 'holiday', '劳动节', '国务院办公厅关于2026年部分节假日安排的通知', 0, 'migration 033'),
('2026-05-04', 'holiday', '劳动节', '国务院办公厅关于2026年部分节假日安排的通知', 0, 'migration 033'),
('2026-05-05', 'holiday', '劳动节', '国务院办公厅关于2026年部分节假日安排的通知', 0, 'migration 033'),
('2026-05-09', 'workday', '劳动节调休上班', '国务院办公厅关于2026年部分节假日安排的通知', 0, 'migration 033'),
('2026-06-19', 'holiday', '端午节', '国务院办公厅关于2026年部分节假日安排的通知', 0, 'migration 033'),
('2026-06-20', 'holiday', '端午节', '国务院办公厅关于2026年部分节假日安排的通知', 0, 'migration 033'),
('2026-06-21', 'holiday', '端午节', '国务院办公厅关于2026年部分节假日安排的通知', 0, 'migration 033'),
('2026-09-20', 'workday', '国庆节调休上班', '国务院办公厅关于2026年部分节假日安排的通知', 0, 'migration 033'),
('2026-09-25', 'holiday', '中秋节', '国务院办公厅关于2026年部分节假日安排的通知', 0, 'migration 033'),
('2026-09-26', 'holiday', '中秋节', '国务院办公厅关于2026年部分节假日安排的通知', 0, 'migration 033'),
('2026-09-27', 'holiday', '中秋节', '国务院办公厅关于2026年部分节假日安排的通知', 0, 'migration 033'),
('2026-10-01', 'holiday', '国庆节', '国务院办公厅关于2026年部分节假日安排的通知', 0, 'migration 033'),
('2026-10-02', 'holiday', '国庆节', '国务院办公厅关于2026年部分节假日安排的通知', 0, 'migration 033'),
('2026-10-03', 'holiday', '国庆节', '国务院办公厅关于2026年部分节假日安排的通知', 0, 'migration 033'),
('2026-10-04', 'holiday', '国庆节', '国务院办公厅关于2026年部分节假日安排的通知', 0, 'migration 033'),
('2026-10-05', 'holiday', '国庆节', '国务院办公厅关于2026年部分节假日安排的通知', 0, 'migration 033'),
('2026-10-06', 'holiday', '国庆节', '国务院办公厅关于2026年部分节假日安排的通知', 0, 'migration 033'),
('2026-10-07', 'holiday', '国庆节', '国务院办公厅关于2026年部分节假日安排的通知', 0, 'migration 033'),
('2026-10-10', 'workday', '国庆节调休上班', '国务院办公厅关于2026年部分节假日安排的通知', 0, 'migration 033');
