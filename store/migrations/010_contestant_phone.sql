-- A contestant's phone number from the roster (手机), so the organizer can
-- reach people about draws, appeals and certificates. Sensitive like the
-- 证件号码: shown only on the organizer's pages. Same portable SQL as
-- schema.sql.
ALTER TABLE contestants ADD COLUMN phone VARCHAR(32) NOT NULL DEFAULT '';
