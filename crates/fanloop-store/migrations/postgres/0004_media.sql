-- Placeholder: replaced by the media work before it lands.
SELECT 1;
