//! `/api/v1/workspaces/{id}/media` (being built).
