-- After step 017 sealed every 证件号码 and phone, the old id_number columns
-- hold the keyed lookup index (32 hex digits) and the phone column is empty:
-- name them for what they hold. The roster's uniqueness constraint
-- (contestants_identity) and the certificates' lookup index move with the
-- renamed column, so they now work on the index, never on a plaintext
-- number. Same portable SQL as schema.sql.
ALTER TABLE contestants RENAME COLUMN id_number TO id_index;
ALTER TABLE certificates RENAME COLUMN id_number TO id_index;
ALTER TABLE contestants DROP COLUMN phone;
