//! Who hears a notification inside Fanloop: the addressing rule per kind, and its
//! resolution against a workspace's members and the post's author and assignee.
//!
//! Each kind goes to the people who can act on it, so a busy team's notification centre
//! is a to-do list rather than noise:
//!
//! | kind | addressed to | why |
//! |---|---|---|
//! | `assisted_ready` | the post's assignee, else its author; owners and admins only when neither is a member | the package is one person's job: whoever posts it by hand. Telling the whole team invites two people posting it twice |
//! | `assisted_overdue` | the assignee (else the author), owners and admins | an escalation: the one who should have posted it has not, so those who can reassign it or post it themselves hear too |
//! | `publish_failed`, `publish_unconfirmed`, `publish_missed` | the author, the assignee, owners and admins | the post's people fix or check the content; owners and admins answer for the brand's channels, and a failure is often a channel matter |
//! | `reconnect_needed` | owners and admins | only they may manage channels (`Permission::ManageChannels`), so only they can reconnect one |
//! | any other kind | every member | a kind this version does not know (from a newer one sharing the database) is better told to all than lost |
//!
//! "Owners and admins" are the roles allowed `Permission::ManageChannels`, read from the
//! permission matrix rather than listed again. Only current members are addressed: an
//! author or assignee who left the workspace hears nothing from it.

use crate::{Permission, Role, UserId};

/// The post's people a notification is addressed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostPeople {
    Nobody,
    /// The one who is to act: the assignee, else the author.
    Responsible,
    /// Both the author and the assignee.
    AuthorAndAssignee,
}

/// Whether owners and admins are addressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Managers {
    Always,
    /// Only when none of the post's people is a member, so someone always hears.
    IfNobodyElse,
}

/// Who a notification is addressed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Every member: a workspace-wide notification.
    Everyone,
    Addressed {
        post: PostPeople,
        managers: Managers,
    },
}

/// Whether a role counts among "owners and admins" for addressing: those who may
/// reconnect channels and run the workspace day to day.
pub fn is_manager(role: Role) -> bool {
    role.allows(Permission::ManageChannels)
}

impl Audience {
    /// The addressing rule of a notification kind (the table above).
    pub fn of(kind: &str) -> Audience {
        use Audience::Addressed;
        match kind {
            "assisted_ready" => Addressed {
                post: PostPeople::Responsible,
                managers: Managers::IfNobodyElse,
            },
            "assisted_overdue" => Addressed {
                post: PostPeople::Responsible,
                managers: Managers::Always,
            },
            "publish_failed" | "publish_unconfirmed" | "publish_missed" => Addressed {
                post: PostPeople::AuthorAndAssignee,
                managers: Managers::Always,
            },
            "reconnect_needed" => Addressed {
                post: PostPeople::Nobody,
                managers: Managers::Always,
            },
            _ => Audience::Everyone,
        }
    }

    /// The members addressed, ascending and without repeats. `members` are the
    /// workspace's members with their roles; `author` and `assignee` belong to the post
    /// the notification is about (both `None` when it is about no post).
    pub fn resolve(
        self,
        members: &[(UserId, Role)],
        author: Option<UserId>,
        assignee: Option<UserId>,
    ) -> Vec<UserId> {
        let member = |user: Option<UserId>| user.filter(|u| members.iter().any(|(m, _)| m == u));
        let mut out: Vec<UserId> = match self {
            Audience::Everyone => members.iter().map(|(user, _)| *user).collect(),
            Audience::Addressed { post, managers } => {
                let (author, assignee) = (member(author), member(assignee));
                let mut people: Vec<UserId> = match post {
                    PostPeople::Nobody => Vec::new(),
                    PostPeople::Responsible => assignee.or(author).into_iter().collect(),
                    PostPeople::AuthorAndAssignee => author.into_iter().chain(assignee).collect(),
                };
                if managers == Managers::Always || people.is_empty() {
                    people.extend(
                        members
                            .iter()
                            .filter(|(_, role)| is_manager(*role))
                            .map(|(user, _)| *user),
                    );
                }
                people
            }
        };
        out.sort();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Role::*;

    const OWNER: UserId = UserId(1);
    const ADMIN: UserId = UserId(2);
    const CHIEF: UserId = UserId(3);
    const EDITOR: UserId = UserId(4);
    const VIEWER: UserId = UserId(5);
    const GONE: UserId = UserId(9);

    fn members() -> Vec<(UserId, Role)> {
        vec![
            (OWNER, Owner),
            (ADMIN, Admin),
            (CHIEF, EditorInChief),
            (EDITOR, Editor),
            (VIEWER, Viewer),
        ]
    }

    #[test]
    fn each_kind_reaches_the_people_who_can_act() {
        let ids = |v: &[UserId]| v.to_vec();
        // (kind, author, assignee) → addressed
        type Row = (&'static str, Option<UserId>, Option<UserId>, Vec<UserId>);
        let table: Vec<Row> = vec![
            ("assisted_ready", Some(CHIEF), Some(EDITOR), ids(&[EDITOR])),
            ("assisted_ready", Some(CHIEF), None, ids(&[CHIEF])),
            // An assignee who left: the author stands in.
            ("assisted_ready", Some(CHIEF), Some(GONE), ids(&[CHIEF])),
            // Nobody of the post is a member: owners and admins, so someone hears.
            ("assisted_ready", Some(GONE), None, ids(&[OWNER, ADMIN])),
            (
                "assisted_overdue",
                Some(CHIEF),
                Some(EDITOR),
                ids(&[OWNER, ADMIN, EDITOR]),
            ),
            (
                "assisted_overdue",
                Some(EDITOR),
                None,
                ids(&[OWNER, ADMIN, EDITOR]),
            ),
            // An owner who is also the assignee is addressed once.
            (
                "assisted_overdue",
                Some(CHIEF),
                Some(OWNER),
                ids(&[OWNER, ADMIN]),
            ),
            (
                "publish_failed",
                Some(CHIEF),
                Some(EDITOR),
                ids(&[OWNER, ADMIN, CHIEF, EDITOR]),
            ),
            (
                "publish_unconfirmed",
                Some(EDITOR),
                None,
                ids(&[OWNER, ADMIN, EDITOR]),
            ),
            (
                "publish_missed",
                Some(GONE),
                Some(VIEWER),
                ids(&[OWNER, ADMIN, VIEWER]),
            ),
            ("reconnect_needed", None, None, ids(&[OWNER, ADMIN])),
            (
                "from_a_newer_version",
                None,
                None,
                ids(&[OWNER, ADMIN, CHIEF, EDITOR, VIEWER]),
            ),
        ];
        for (kind, author, assignee, want) in table {
            let got = Audience::of(kind).resolve(&members(), author, assignee);
            assert_eq!(got, want, "{kind} author={author:?} assignee={assignee:?}");
        }
    }

    #[test]
    fn managers_are_the_roles_that_manage_channels() {
        let managers: Vec<Role> = Role::ALL.into_iter().filter(|r| is_manager(*r)).collect();
        assert_eq!(managers, [Owner, Admin]);
    }

    #[test]
    fn every_known_kind_is_addressed_not_broadcast() {
        for kind in super::super::EVENTS {
            assert_ne!(Audience::of(kind), Audience::Everyone, "{kind}");
        }
    }
}
