//! Post comments, assignees, due dates and version diffs (being built).
