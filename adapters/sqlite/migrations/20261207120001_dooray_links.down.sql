DROP TABLE dooray_links;
