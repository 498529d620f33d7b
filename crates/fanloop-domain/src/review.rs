//! Review (审核): the status machine of a post before publishing and the workspace's
//! approval rules. Pure: the caller loads the state, asks `decide`, stores the outcome
//! and the audit line in one transaction, and only then tells anyone.

use crate::ids::UserId;
use crate::invalid::{Invalid, Reason};
use crate::role::{Permission, Role};
use serde::Serialize;
use std::collections::BTreeSet;

/// Where a post stands in review. Scheduling and publishing states follow `Approved`
/// (publishing issue).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PostStatus {
    Draft,
    InReview,
    ChangesRequested,
    Approved,
}

impl PostStatus {
    pub fn code(self) -> &'static str {
        match self {
            PostStatus::Draft => "draft",
            PostStatus::InReview => "in_review",
            PostStatus::ChangesRequested => "changes_requested",
            PostStatus::Approved => "approved",
        }
    }

    pub fn parse(code: &str) -> Option<PostStatus> {
        [
            PostStatus::Draft,
            PostStatus::InReview,
            PostStatus::ChangesRequested,
            PostStatus::Approved,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }
}

/// A workspace's approval rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApprovalRules {
    /// 0 means a solo operator: submitting approves at once.
    pub required_approvals: u8,
    pub author_may_approve: bool,
    /// Lint errors stop submission; an owner may override with a recorded reason.
    pub lint_errors_block: bool,
    pub approver_roles: BTreeSet<Role>,
}

impl Default for ApprovalRules {
    fn default() -> Self {
        ApprovalRules {
            required_approvals: 1,
            author_may_approve: false,
            lint_errors_block: true,
            approver_roles: [Role::Owner, Role::Admin, Role::EditorInChief]
                .into_iter()
                .collect(),
        }
    }
}

impl ApprovalRules {
    pub const MAX_APPROVALS: u8 = 5;

    pub fn parse(
        required_approvals: i64,
        author_may_approve: bool,
        lint_errors_block: bool,
        approver_roles: &[String],
    ) -> Result<ApprovalRules, Vec<Invalid>> {
        let mut errors = Vec::new();
        if !(0..=i64::from(Self::MAX_APPROVALS)).contains(&required_approvals) {
            let max = usize::from(Self::MAX_APPROVALS);
            errors.push(Invalid::new("required_approvals", Reason::TooLong { max }));
        }
        let mut roles = BTreeSet::new();
        for (i, code) in approver_roles.iter().enumerate() {
            match Role::parse(code) {
                // Only roles the permission matrix lets approve can be approvers.
                Ok(role) if role.allows(Permission::ApproveContent) => {
                    roles.insert(role);
                }
                _ => errors.push(Invalid::new(
                    format!("approver_roles[{i}]"),
                    Reason::UnknownRole,
                )),
            }
        }
        if roles.is_empty() && required_approvals > 0 && errors.is_empty() {
            errors.push(Invalid::new("approver_roles", Reason::Required));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ApprovalRules {
            required_approvals: required_approvals as u8,
            author_may_approve,
            lint_errors_block,
            approver_roles: roles,
        })
    }
}

/// What someone asks of a post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewAction {
    Submit {
        lint_errors: usize,
        override_reason: Option<String>,
    },
    Approve,
    RequestChanges {
        comment: String,
    },
    /// The content changed (a new version).
    Edit,
}

/// The state `decide` needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewState {
    pub status: PostStatus,
    pub author: UserId,
    /// Who approved the current version.
    pub approvals: BTreeSet<UserId>,
}

/// The caller's identity in the workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub user: UserId,
    pub role: Role,
}

/// What to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub status: PostStatus,
    pub approvals: BTreeSet<UserId>,
    /// An owner submitted despite lint errors; the reason goes to the audit log.
    pub overridden: Option<String>,
}

/// Why a transition was refused. `Forbidden` kinds are about who asks (403);
/// `Conflict` kinds are about the post's state (409).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    WrongStatus { status: PostStatus },
    NotAnApprover,
    AuthorMayNotApprove,
    AlreadyApproved,
    LintErrorsBlock { errors: usize },
    OverrideNeedsOwner,
    CommentRequired,
    CannotWrite,
}

impl Refusal {
    pub fn is_forbidden(&self) -> bool {
        matches!(
            self,
            Refusal::NotAnApprover
                | Refusal::AuthorMayNotApprove
                | Refusal::OverrideNeedsOwner
                | Refusal::CannotWrite
        )
    }

    pub fn code(&self) -> &'static str {
        match self {
            Refusal::WrongStatus { .. } => "wrong_status",
            Refusal::NotAnApprover => "not_an_approver",
            Refusal::AuthorMayNotApprove => "author_may_not_approve",
            Refusal::AlreadyApproved => "already_approved",
            Refusal::LintErrorsBlock { .. } => "lint_errors_block",
            Refusal::OverrideNeedsOwner => "override_needs_owner",
            Refusal::CommentRequired => "comment_required",
            Refusal::CannotWrite => "cannot_write",
        }
    }
}

/// The review rules, in one function.
pub fn decide(
    rules: &ApprovalRules,
    state: &ReviewState,
    actor: Actor,
    action: &ReviewAction,
) -> Result<Decision, Refusal> {
    use PostStatus::*;
    let approved_at_once = |overridden| Decision {
        status: Approved,
        approvals: BTreeSet::new(),
        overridden,
    };
    match action {
        ReviewAction::Submit {
            lint_errors,
            override_reason,
        } => {
            if !actor.role.allows(Permission::WriteContent) {
                return Err(Refusal::CannotWrite);
            }
            if !matches!(state.status, Draft | ChangesRequested) {
                return Err(Refusal::WrongStatus {
                    status: state.status,
                });
            }
            let reason = override_reason
                .as_deref()
                .map(str::trim)
                .filter(|r| !r.is_empty());
            let overridden = match (rules.lint_errors_block && *lint_errors > 0, reason) {
                (false, _) => None,
                (true, None) => {
                    return Err(Refusal::LintErrorsBlock {
                        errors: *lint_errors,
                    });
                }
                (true, Some(_)) if actor.role != Role::Owner => {
                    return Err(Refusal::OverrideNeedsOwner);
                }
                (true, Some(reason)) => Some(reason.to_owned()),
            };
            if rules.required_approvals == 0 {
                return Ok(approved_at_once(overridden));
            }
            Ok(Decision {
                status: InReview,
                approvals: BTreeSet::new(),
                overridden,
            })
        }
        ReviewAction::Approve => {
            if state.status != InReview {
                return Err(Refusal::WrongStatus {
                    status: state.status,
                });
            }
            if !rules.approver_roles.contains(&actor.role)
                || !actor.role.allows(Permission::ApproveContent)
            {
                return Err(Refusal::NotAnApprover);
            }
            if actor.user == state.author && !rules.author_may_approve {
                return Err(Refusal::AuthorMayNotApprove);
            }
            if state.approvals.contains(&actor.user) {
                return Err(Refusal::AlreadyApproved);
            }
            let mut approvals = state.approvals.clone();
            approvals.insert(actor.user);
            let done = approvals.len() >= usize::from(rules.required_approvals);
            Ok(Decision {
                status: if done { Approved } else { InReview },
                approvals,
                overridden: None,
            })
        }
        ReviewAction::RequestChanges { comment } => {
            if state.status != InReview {
                return Err(Refusal::WrongStatus {
                    status: state.status,
                });
            }
            if !rules.approver_roles.contains(&actor.role)
                || !actor.role.allows(Permission::ApproveContent)
            {
                return Err(Refusal::NotAnApprover);
            }
            if comment.trim().is_empty() {
                return Err(Refusal::CommentRequired);
            }
            Ok(Decision {
                status: ChangesRequested,
                approvals: BTreeSet::new(),
                overridden: None,
            })
        }
        ReviewAction::Edit => {
            if !actor.role.allows(Permission::WriteContent) {
                return Err(Refusal::CannotWrite);
            }
            // A changed post is not the post that was approved: it goes back to review,
            // and earlier approvals of the old version no longer count.
            let status = match state.status {
                Approved | InReview if rules.required_approvals == 0 => Approved,
                Approved | InReview => InReview,
                other => other,
            };
            Ok(Decision {
                status,
                approvals: BTreeSet::new(),
                overridden: None,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PostStatus::*;

    const AUTHOR: UserId = UserId(1);
    const CHIEF: UserId = UserId(2);
    const OTHER_CHIEF: UserId = UserId(3);
    const OWNER: UserId = UserId(4);

    fn state(status: PostStatus, approvals: &[UserId]) -> ReviewState {
        ReviewState {
            status,
            author: AUTHOR,
            approvals: approvals.iter().copied().collect(),
        }
    }

    fn actor(user: UserId, role: Role) -> Actor {
        Actor { user, role }
    }

    fn submit(lint_errors: usize, reason: Option<&str>) -> ReviewAction {
        ReviewAction::Submit {
            lint_errors,
            override_reason: reason.map(str::to_owned),
        }
    }

    fn two_approvals() -> ApprovalRules {
        ApprovalRules {
            required_approvals: 2,
            ..ApprovalRules::default()
        }
    }

    /// Rules, state, who, what, and the expected status or refusal.
    type Case<'a> = (
        &'a ApprovalRules,
        ReviewState,
        Actor,
        ReviewAction,
        Result<PostStatus, Refusal>,
    );

    #[test]
    fn the_table() {
        let default = ApprovalRules::default();
        let solo = ApprovalRules {
            required_approvals: 0,
            ..ApprovalRules::default()
        };
        let lenient = ApprovalRules {
            author_may_approve: true,
            lint_errors_block: false,
            ..ApprovalRules::default()
        };
        let two = two_approvals();
        let editor = actor(AUTHOR, Role::Editor);
        let chief = actor(CHIEF, Role::EditorInChief);
        let owner = actor(OWNER, Role::Owner);
        let changes = |c: &str| ReviewAction::RequestChanges { comment: c.into() };
        let cases: Vec<Case> = vec![
            (
                &default,
                state(Draft, &[]),
                editor,
                submit(0, None),
                Ok(InReview),
            ),
            (
                &default,
                state(ChangesRequested, &[]),
                editor,
                submit(0, None),
                Ok(InReview),
            ),
            (
                &default,
                state(InReview, &[]),
                editor,
                submit(0, None),
                Err(Refusal::WrongStatus { status: InReview }),
            ),
            (
                &solo,
                state(Draft, &[]),
                editor,
                submit(0, None),
                Ok(Approved),
            ),
            (
                &default,
                state(Draft, &[]),
                editor,
                submit(2, None),
                Err(Refusal::LintErrorsBlock { errors: 2 }),
            ),
            (
                &default,
                state(Draft, &[]),
                editor,
                submit(2, Some("已与法务确认")),
                Err(Refusal::OverrideNeedsOwner),
            ),
            (
                &default,
                state(Draft, &[]),
                owner,
                submit(2, Some("  ")),
                Err(Refusal::LintErrorsBlock { errors: 2 }),
            ),
            (
                &default,
                state(Draft, &[]),
                owner,
                submit(2, Some("已与法务确认")),
                Ok(InReview),
            ),
            (
                &lenient,
                state(Draft, &[]),
                editor,
                submit(2, None),
                Ok(InReview),
            ),
            (
                &default,
                state(Draft, &[]),
                actor(AUTHOR, Role::Viewer),
                submit(0, None),
                Err(Refusal::CannotWrite),
            ),
            (
                &default,
                state(InReview, &[]),
                chief,
                ReviewAction::Approve,
                Ok(Approved),
            ),
            (
                &default,
                state(Draft, &[]),
                chief,
                ReviewAction::Approve,
                Err(Refusal::WrongStatus { status: Draft }),
            ),
            (
                &default,
                state(InReview, &[]),
                actor(CHIEF, Role::Editor),
                ReviewAction::Approve,
                Err(Refusal::NotAnApprover),
            ),
            (
                &default,
                state(InReview, &[]),
                actor(AUTHOR, Role::EditorInChief),
                ReviewAction::Approve,
                Err(Refusal::AuthorMayNotApprove),
            ),
            (
                &lenient,
                state(InReview, &[]),
                actor(AUTHOR, Role::EditorInChief),
                ReviewAction::Approve,
                Ok(Approved),
            ),
            (
                &two,
                state(InReview, &[]),
                chief,
                ReviewAction::Approve,
                Ok(InReview),
            ),
            (
                &two,
                state(InReview, &[CHIEF]),
                chief,
                ReviewAction::Approve,
                Err(Refusal::AlreadyApproved),
            ),
            (
                &two,
                state(InReview, &[CHIEF]),
                actor(OTHER_CHIEF, Role::EditorInChief),
                ReviewAction::Approve,
                Ok(Approved),
            ),
            (
                &default,
                state(InReview, &[]),
                chief,
                changes("标题再短一点"),
                Ok(ChangesRequested),
            ),
            (
                &default,
                state(InReview, &[]),
                chief,
                changes(" "),
                Err(Refusal::CommentRequired),
            ),
            (
                &default,
                state(InReview, &[]),
                editor,
                changes("x"),
                Err(Refusal::NotAnApprover),
            ),
            (
                &default,
                state(Approved, &[CHIEF]),
                editor,
                ReviewAction::Edit,
                Ok(InReview),
            ),
            (
                &solo,
                state(Approved, &[]),
                editor,
                ReviewAction::Edit,
                Ok(Approved),
            ),
            (
                &default,
                state(Draft, &[]),
                editor,
                ReviewAction::Edit,
                Ok(Draft),
            ),
            (
                &default,
                state(Draft, &[]),
                actor(AUTHOR, Role::Analyst),
                ReviewAction::Edit,
                Err(Refusal::CannotWrite),
            ),
        ];
        for (rules, state, actor, action, want) in cases {
            let got = decide(rules, &state, actor, &action).map(|d| d.status);
            assert_eq!(got, want, "{action:?} by {actor:?} on {state:?}");
        }
    }

    #[test]
    fn approvals_are_kept_and_cleared() {
        let rules = two_approvals();
        let chief = actor(CHIEF, Role::EditorInChief);
        let d = decide(&rules, &state(InReview, &[]), chief, &ReviewAction::Approve).unwrap();
        assert_eq!(d.approvals, [CHIEF].into_iter().collect());
        let d = decide(
            &rules,
            &state(InReview, &[CHIEF]),
            actor(OTHER_CHIEF, Role::EditorInChief),
            &ReviewAction::RequestChanges {
                comment: "x".into(),
            },
        )
        .unwrap();
        assert!(d.approvals.is_empty());
        let d = decide(
            &ApprovalRules::default(),
            &state(Draft, &[]),
            actor(OWNER, Role::Owner),
            &submit(1, Some(" 已确认 ")),
        )
        .unwrap();
        assert_eq!(d.overridden.as_deref(), Some("已确认"));
    }

    #[test]
    fn rules_parse() {
        let ok = ApprovalRules::parse(2, false, true, &["editor_in_chief".into(), "owner".into()])
            .unwrap();
        assert_eq!(ok.approver_roles.len(), 2);
        let errors =
            ApprovalRules::parse(9, false, true, &["viewer".into(), "nobody".into()]).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "required_approvals",
                "approver_roles[0]",
                "approver_roles[1]"
            ]
        );
        assert!(ApprovalRules::parse(1, false, true, &[]).is_err());
        assert!(ApprovalRules::parse(0, false, true, &[]).is_ok());
    }
}
