-- Personal data at rest (issue 13): 证件号码 and phone numbers are stored
-- sealed (AES-256-GCM, "KEYID$base64url") and the 证件号码 also as a keyed
-- HMAC index for lookups. This step adds the sealed columns; step 017 (in
-- Go: it needs the key) seals every existing row and puts the index in
-- place of the plaintext number, and step 018 renames and drops the old
-- columns. Same portable SQL as schema.sql.
ALTER TABLE contestants ADD COLUMN id_cipher VARCHAR(200) NOT NULL DEFAULT '';
ALTER TABLE contestants ADD COLUMN phone_cipher VARCHAR(200) NOT NULL DEFAULT '';
ALTER TABLE certificates ADD COLUMN id_cipher VARCHAR(200) NOT NULL DEFAULT '';
