-- Placeholder: replaced by the scripts_words work before it lands.
SELECT 1;
