//! Roles and the permission matrix: the one place that says who may do what.
//!
//! Every route in the web layer names the `Permission` it needs; the layer checks it
//! before the handler runs, and a test walks every route with every role against
//! `Role::allows`.

use crate::invalid::{Invalid, Reason};
use serde::Serialize;

/// A member's role in one workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Holds the workspace: everything, including handing out ownership.
    Owner,
    /// Runs the workspace day to day: settings, team, channels.
    Admin,
    /// 主编: approves content and owns the editorial line.
    EditorInChief,
    /// 小编: writes, typesets and schedules.
    Editor,
    /// Community and customer service: the inbox and fans.
    Community,
    /// Reads data and builds reports.
    Analyst,
    /// Looks, never touches.
    Viewer,
}

/// Something a member may be allowed to do inside a workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    ViewWorkspace,
    EditWorkspace,
    ViewMembers,
    ManageMembers,
    ViewChannels,
    ManageChannels,
    WriteContent,
    ApproveContent,
    SchedulePublications,
    AnswerInbox,
    ManageFans,
    ViewAnalytics,
    ManageCampaigns,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Owner,
        Role::Admin,
        Role::EditorInChief,
        Role::Editor,
        Role::Community,
        Role::Analyst,
        Role::Viewer,
    ];

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        Role::ALL
            .into_iter()
            .find(|role| role.code() == raw.trim())
            .ok_or_else(|| Invalid::new("role", Reason::UnknownRole))
    }

    pub fn code(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::EditorInChief => "editor_in_chief",
            Role::Editor => "editor",
            Role::Community => "community",
            Role::Analyst => "analyst",
            Role::Viewer => "viewer",
        }
    }

    /// The permission matrix.
    pub fn allows(self, permission: Permission) -> bool {
        use Permission::*;
        use Role::*;
        match permission {
            ViewWorkspace | ViewMembers | ViewChannels => true,
            EditWorkspace | ManageMembers | ManageChannels => matches!(self, Owner | Admin),
            WriteContent | SchedulePublications => {
                matches!(self, Owner | Admin | EditorInChief | Editor)
            }
            ApproveContent => matches!(self, Owner | Admin | EditorInChief),
            AnswerInbox | ManageFans => {
                matches!(self, Owner | Admin | EditorInChief | Editor | Community)
            }
            ViewAnalytics => !matches!(self, Viewer),
            ManageCampaigns => matches!(self, Owner | Admin | EditorInChief | Editor),
        }
    }

    /// Who may give a role to someone: owners any role, admins any role below owner,
    /// nobody else. Without this an admin could promote themselves to owner.
    pub fn may_assign(self, target: Role) -> bool {
        match self {
            Role::Owner => true,
            Role::Admin => target != Role::Owner,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.code()).unwrap(), role);
        }
        assert!(Role::parse("superuser").is_err());
    }

    #[test]
    fn matrix_spot_checks() {
        let table = [
            (Role::Viewer, Permission::ViewChannels, true),
            (Role::Viewer, Permission::ManageChannels, false),
            (Role::Viewer, Permission::ViewAnalytics, false),
            (Role::Editor, Permission::ApproveContent, false),
            (Role::EditorInChief, Permission::ApproveContent, true),
            (Role::Community, Permission::AnswerInbox, true),
            (Role::Community, Permission::WriteContent, false),
            (Role::Analyst, Permission::ViewAnalytics, true),
            (Role::Admin, Permission::ManageMembers, true),
            (Role::EditorInChief, Permission::ManageMembers, false),
        ];
        for (role, permission, want) in table {
            assert_eq!(role.allows(permission), want, "{role:?} {permission:?}");
        }
    }

    #[test]
    fn only_owners_make_owners() {
        assert!(Role::Owner.may_assign(Role::Owner));
        assert!(!Role::Admin.may_assign(Role::Owner));
        assert!(Role::Admin.may_assign(Role::Admin));
        assert!(!Role::Editor.may_assign(Role::Viewer));
    }
}
