//! What a team needs around a post besides its text: who it is assigned to and when it
//! is due, covers, the version history, comments with @mentions, and variants edited on
//! their own.
//!
//! Edits of a variant are edits of the post: they make a new version (the master text
//! is copied unchanged, with a summary naming the variant) so approvals, which belong
//! to a version, never cover content the approver did not see.

mod comments;
mod variants;
mod versions;

pub use comments::{Comment, Mention};
pub use variants::VariantEdit;
pub use versions::VersionEntry;

use crate::{Store, StoreError, on_pool};
use fanloop_domain::{UserId, WorkspaceId};

/// Who works on a post, by when, and its cover: set on create and on every edit.
/// Callers check the references first with `Store::refs_invalid`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PostMeta {
    pub assignee: Option<UserId>,
    /// A calendar day (`YYYY-MM-DD`) in the workspace's time zone.
    pub due_date: Option<String>,
    pub cover_media_id: Option<i64>,
}

impl Store {
    /// The fields among `assignee_id` and the named covers that point outside the
    /// workspace: an assignee who is not a member, media of another workspace or none.
    /// Checked before writing rather than inside the write's transaction so the caller
    /// can name every refused field at once; a member removed in between is harmless
    /// (the assignment just names a former member).
    pub async fn refs_invalid(
        &self,
        workspace: WorkspaceId,
        assignee: Option<UserId>,
        covers: &[(&'static str, Option<i64>)],
    ) -> Result<Vec<&'static str>, StoreError> {
        let mut invalid = Vec::new();
        if let Some(user) = assignee
            && self.member_role(workspace, user).await?.is_none()
        {
            invalid.push("assignee_id");
        }
        for (field, media) in covers {
            let Some(media) = media else { continue };
            let found: i64 = on_pool!(self, pool => {
                sqlx::query_scalar("SELECT COUNT(*) FROM media WHERE id = $1 AND workspace_id = $2")
                    .bind(*media)
                    .bind(workspace.0)
                    .fetch_one(pool)
                    .await
            })?;
            if found == 0 {
                invalid.push(*field);
            }
        }
        Ok(invalid)
    }
}
