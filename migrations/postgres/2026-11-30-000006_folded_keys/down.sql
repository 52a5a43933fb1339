DROP INDEX users_username_folded_unique;
CREATE UNIQUE INDEX users_username_folded_key ON users (lower(username));
ALTER TABLE users DROP COLUMN username_folded;

DROP INDEX account_contacts_account_email_folded_key;
CREATE UNIQUE INDEX account_contacts_account_email_key ON account_contacts (account_id, lower(email));
ALTER TABLE account_contacts DROP COLUMN email_folded;
