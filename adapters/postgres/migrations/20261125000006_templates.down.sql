DROP TABLE IF EXISTS forbidden_words;
--bun:split
DROP TABLE IF EXISTS forbidden_word_lists;
--bun:split
DROP TABLE IF EXISTS reply_template_categories;
--bun:split
DROP TABLE IF EXISTS reply_templates;
