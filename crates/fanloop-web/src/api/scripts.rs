//! `/api/v1/workspaces/{id}/scripts` (being built).
