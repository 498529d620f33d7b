//! The rules of Fanloop, with no IO.
//!
//! Types here *parse* rather than validate: a `WorkspaceName` or an `Email` that exists is
//! already valid, so code further in never re-checks. Roles, the permission matrix and the
//! per-platform channel settings live here so the web layer, the CLI and the tests read one
//! source of truth.
//!
//! Architecture invariant: this crate never does IO, never reads the clock and never
//! spawns; every function is deterministic in its arguments.

mod account;
mod channel;
mod content;
mod ids;
mod invalid;
mod limits;
pub mod notify;
pub mod publish;
mod review;
mod role;
pub mod script;
mod topic;
mod wechat;
mod workspace;

pub use account::{DisplayName, Email, Password};
pub use channel::{
    ChannelDraft, ChannelName, ChannelSettings, Platform, PlatformTier, SettingField, check_url,
};
pub use content::PostDraft;
pub use ids::{ChannelId, InvitationId, TokenId, UserId, WorkspaceId};
pub use invalid::{Invalid, Reason};
pub use limits::{Counting, HashtagStyle, Ratio, TextLimits};
pub use review::{
    Actor, ApprovalRules, Decision, PostStatus, Refusal, ReviewAction, ReviewState, decide,
};
pub use role::{Permission, Role};
pub use topic::{
    CalendarDate, ScoreWeights, Scores, TopicDraft, TopicSource, TopicStatus, brainstorm,
};
pub use wechat::{WechatAccount, WechatDelivery};
pub use workspace::{BrandVoice, Locale, TimeZoneName, WorkspaceName, WorkspaceProfile};
