-- An audit entry's detail is one JSON document naming everything an action
-- touched: 核对补考 of a batch of thousands carries every part and refusal,
-- more than MySQL's 64 KiB TEXT holds (the action then failed on MySQL
-- only). SQLite's TEXT has no such limit; MEDIUMTEXT holds 16 MiB.
/*!40101 ALTER TABLE audit_log MODIFY detail MEDIUMTEXT NOT NULL */;
