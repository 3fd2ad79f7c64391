DROP TABLE IF EXISTS mail_messages;
