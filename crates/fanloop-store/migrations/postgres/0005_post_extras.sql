-- Placeholder: replaced by the post_extras work before it lands.
SELECT 1;
