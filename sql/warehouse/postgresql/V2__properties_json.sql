-- properties becomes json (was jsonb): json keeps the exported text byte for byte and accepts every legal
-- JSON value, where jsonb refuses \u0000 in a string ("unsupported Unicode escape sequence"), lone surrogate
-- escapes and numbers beyond numeric's range, failing the whole day's load. jsonb also drops duplicate keys
-- and reorders them. Query with the json operators (->, ->>, json_extract_path_text) or cast: properties::jsonb
-- (it fails only on the rows that hold such values).
-- On an existing table this rewrites every partition once (an ACCESS EXCLUSIVE lock for the duration); rows
-- loaded before keep jsonb's normalized text: load those days again for their exact text.
ALTER TABLE ${schema}.${table} ALTER COLUMN properties TYPE json USING properties::json;
