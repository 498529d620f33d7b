//! 工作台: what needs the operator first, the matrix at a glance, and getting started.
//! Also the honest placeholder for areas still on the roadmap.

use super::{AREAS, Page, Shell, render};
use crate::AppState;
use crate::gate::WorkspaceCtx;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use fanloop_domain::{Permission, PlatformTier, PostStatus};
use fanloop_store::post_extras::Mention;
use fanloop_store::{Channel, Member};

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    shell: Shell,
    timezone: String,
    channels: Vec<Channel>,
    members: Vec<Member>,
    pending_invitations: usize,
    can_manage_channels: bool,
    can_manage_members: bool,
    /// Posts waiting for this viewer's approval, and this viewer's posts sent back.
    to_review: usize,
    sent_back: usize,
    /// Comments that mention the viewer and that they have not opened yet.
    unread_mentions: i64,
    mentions: Vec<Mention>,
    /// Posts assigned to the viewer, past due in the workspace's time zone.
    overdue: usize,
    /// Publications that failed, wait for a person, or wait for a reconnect.
    publishing: super::calendar::Attention,
}

impl DashboardPage {
    fn count_tier(&self, tier: &str) -> usize {
        self.channels
            .iter()
            .filter(|c| match c.platform.tier() {
                PlatformTier::Api => tier == "api",
                PlatformTier::Assisted => tier == "assisted",
                PlatformTier::Sandbox => tier == "sandbox",
            })
            .count()
    }

    fn platform_label(&self, c: &Channel) -> &'static str {
        c.platform.label(self.shell.tr.lang)
    }

    fn platform_code(&self, c: &Channel) -> &'static str {
        c.platform.code()
    }

    fn when(&self, at: &i64) -> String {
        self.shell.tr.datetime(*at, &self.timezone)
    }

    fn attention(&self) -> usize {
        self.to_review
            + self.sent_back
            + self.overdue
            + self.unread_mentions.max(0) as usize
            + self.publishing.total().max(0) as usize
    }

    fn roadmap(&self) -> impl Iterator<Item = &'static super::Area> {
        AREAS.iter().filter(|a| !a.built)
    }
}

pub async fn page(State(state): State<AppState>, page: Page, ctx: WorkspaceCtx) -> Response {
    let shell = match Shell::load(&state, &page, Some(&ctx), "dashboard").await {
        Ok(shell) => shell,
        Err(response) => return response,
    };
    let id = ctx.id();
    let posts = match state.store.posts(id).await {
        Ok(posts) => posts,
        Err(e) => return page.fail(&e),
    };
    let to_review = if ctx.role.allows(Permission::ApproveContent) {
        posts
            .iter()
            .filter(|p| p.status == PostStatus::InReview)
            .count()
    } else {
        0
    };
    let sent_back = posts
        .iter()
        .filter(|p| {
            p.status == PostStatus::ChangesRequested && p.author_id == page.principal.user.id.0
        })
        .count();
    let today = crate::review::extras::today(&ctx.workspace.timezone);
    let overdue = posts
        .iter()
        .filter(|p| {
            p.assignee_id == Some(page.principal.user.id.0)
                && crate::review::extras::overdue(p, &today)
        })
        .count();
    let (unread_mentions, mentions) = match state
        .store
        .unread_mentions(id, page.principal.user.id, 5)
        .await
    {
        Ok(found) => found,
        Err(e) => return page.fail(&e),
    };
    let publishing = match super::calendar::Attention::load(&state, &ctx).await {
        Ok(found) => found,
        Err(e) => return page.fail(&e),
    };
    let (channels, members, invitations) = match (
        state.store.channels(id).await,
        state.store.members(id).await,
        state.store.pending_invitations(id).await,
    ) {
        (Ok(c), Ok(m), Ok(i)) => (c, m, i),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return page.fail(&e),
    };
    let view = DashboardPage {
        shell,
        timezone: ctx.workspace.timezone.clone(),
        channels,
        members,
        pending_invitations: invitations.len(),
        can_manage_channels: ctx.role.allows(Permission::ManageChannels),
        can_manage_members: ctx.role.allows(Permission::ManageMembers),
        to_review,
        sent_back,
        unread_mentions,
        mentions,
        overdue,
        publishing,
    };
    render(StatusCode::OK, &view)
}

#[derive(Template)]
#[template(path = "area.html")]
struct AreaPage {
    shell: Shell,
    key: &'static str,
}

/// An area on the roadmap: named, described, and plainly marked as not yet available.
pub async fn area(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Path((_, key)): Path<(i64, String)>,
) -> Response {
    let Some(area) = AREAS.iter().find(|a| a.key == key && !a.built) else {
        return page.refuse(StatusCode::NOT_FOUND, page.tr.t("error.not_found"));
    };
    match Shell::load(&state, &page, Some(&ctx), area.key).await {
        Ok(shell) => render(
            StatusCode::OK,
            &AreaPage {
                shell,
                key: area.key,
            },
        ),
        Err(response) => response,
    }
}
