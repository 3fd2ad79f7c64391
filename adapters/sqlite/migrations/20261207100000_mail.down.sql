DROP TABLE IF EXISTS mail_files;
--bun:split
DROP TABLE IF EXISTS mail_mailboxes;
--bun:split
DROP TABLE IF EXISTS mail_sync;
--bun:split
DROP TABLE IF EXISTS mail_messages;
