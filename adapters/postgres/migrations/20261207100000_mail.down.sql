DROP TABLE IF EXISTS mail_files;
DROP TABLE IF EXISTS mail_mailboxes;
DROP TABLE IF EXISTS mail_sync;
DROP TABLE IF EXISTS mail_messages;
