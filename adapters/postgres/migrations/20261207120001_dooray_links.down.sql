DROP TABLE IF EXISTS dooray_links;
