-- Contacts' e-mail addresses and usernames are unique ignoring case. SQL lower() folds
-- differently on each backend (SQLite: ASCII only), so the program folds them and
-- stores the folded form for lookups and uniqueness. lower() fills the columns here;
-- the program folds the existing rows again right after this migration.
ALTER TABLE account_contacts ADD COLUMN email_folded TEXT NOT NULL DEFAULT '';
UPDATE account_contacts SET email_folded = lower(email);
DROP INDEX account_contacts_account_email_key;
CREATE UNIQUE INDEX account_contacts_account_email_folded_key ON account_contacts (account_id, email_folded);

ALTER TABLE users ADD COLUMN username_folded TEXT NOT NULL DEFAULT '';
UPDATE users SET username_folded = lower(username);
DROP INDEX users_username_folded_key;
CREATE UNIQUE INDEX users_username_folded_unique ON users (username_folded);
