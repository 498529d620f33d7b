//! `/api/v1/workspaces/{id}/word-lists` (being built).
