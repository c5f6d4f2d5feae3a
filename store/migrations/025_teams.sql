-- Team entries (issue 14): a team of 2–3 contestants is one entry with one
-- result. The entry stays a contestants row (kind 'team', name = the team's
-- name, no personal data: id_type 队伍 and an id_index of the team's name,
-- so the roster's uniqueness constraint still holds), so draws, sheets,
-- boards and results key on it unchanged. Each member is a contestants row
-- of kind 'member' pointing at its entry: its own sealed personal data,
-- level and last promotion year, for its certificates and promotion; it is
-- never drawn, scored or ranked. Existing rows are individual entries.
ALTER TABLE contestants ADD COLUMN kind VARCHAR(8) NOT NULL DEFAULT 'person'; -- person | team | member
ALTER TABLE contestants ADD COLUMN team_id INTEGER REFERENCES contestants (id);
CREATE INDEX contestants_team ON contestants (team_id);
