-- Sealed public views (issue 11): two per-event settings of what spectators
-- may see, both off by default. show_judge_marks shows individual judges'
-- marks (a judge code next to a value) on the public standings after
-- publication; live_draft_marks lets marks of sheets their judges have not
-- submitted move the public board (sports-style live scoring). No row in
-- live_states means both off. Same portable SQL as schema.sql.
ALTER TABLE live_states ADD COLUMN show_judge_marks INTEGER NOT NULL DEFAULT 0;
ALTER TABLE live_states ADD COLUMN live_draft_marks INTEGER NOT NULL DEFAULT 0;
-- The frozen board now carries each contestant's public result (module
-- scores, reasons) for the standings API: more than MySQL's 64 KiB TEXT
-- holds for a large event. SQLite's TEXT has no such limit.
/*!40101 ALTER TABLE live_states MODIFY frozen_board MEDIUMTEXT */;
