//! The route table: every path Fanloop serves, with the access it requires.
//!
//! The router is built from this table, so a route cannot exist without a declared
//! access, and the gate in front of each route enforces it. The route × role test in the
//! binary's suite walks this same table.

use crate::{AppState, api, assets, gate, hooks, ops, pages};
use axum::Router;
use axum::http::Method;
use axum::routing::{MethodFilter, MethodRouter};
use fanloop_domain::Permission;

/// Who may reach a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone: sign-in, setup and invitation links, health, assets, the API description.
    Public,
    /// A platform's server calling back (WeChat pushes). It has no session, so no CSRF
    /// token either: the handler authenticates the request by the platform's signature
    /// over the channel's own secret, and refuses it with no side effect otherwise.
    Callback,
    /// Any signed-in account.
    Signed,
    /// A member of the workspace named by the path's `{id}` holding this permission.
    /// Non-members get 404, so ids of other tenants reveal nothing.
    Workspace(Permission),
}

/// One row of the table.
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    make: fn(MethodFilter) -> MethodRouter<AppState>,
}

impl RouteSpec {
    /// API routes answer `application/problem+json`; pages answer HTML and redirects.
    pub fn is_api(&self) -> bool {
        self.path.starts_with("/api/")
    }
}

macro_rules! route {
    ($method:ident $path:literal, $access:expr, $handler:path) => {
        RouteSpec {
            method: Method::$method,
            path: $path,
            access: $access,
            make: |filter| axum::routing::on(filter, $handler),
        }
    };
}

pub fn table() -> Vec<RouteSpec> {
    use Access::{Callback, Public, Signed, Workspace};
    use Permission::*;
    vec![
        // Operations and static files.
        route!(GET "/healthz", Public, ops::healthz),
        route!(GET "/readyz", Public, ops::readyz),
        route!(GET "/metrics", Public, ops::metrics),
        route!(GET "/assets/{file}", Public, assets::serve),
        // Signing in, first-run setup, invitations, language.
        route!(GET "/login", Public, pages::auth::login_page),
        route!(POST "/login", Public, pages::auth::login),
        route!(POST "/logout", Signed, pages::auth::logout),
        route!(GET "/setup/{token}", Public, pages::setup::page),
        route!(POST "/setup/{token}", Public, pages::setup::submit),
        route!(GET "/invite/{token}", Public, pages::invite::page),
        route!(POST "/invite/{token}", Public, pages::invite::accept),
        route!(POST "/lang", Public, pages::account::switch_language),
        // The signed-in user's own pages.
        route!(GET "/", Signed, pages::home),
        route!(GET "/workspaces/new", Signed, pages::workspaces::new_page),
        route!(POST "/workspaces/new", Signed, pages::workspaces::create),
        route!(GET "/account", Signed, pages::account::page),
        route!(POST "/account/language", Signed, pages::account::switch_language),
        route!(POST "/account/tokens", Signed, pages::account::create_token),
        route!(POST "/account/tokens/{token_id}/revoke", Signed, pages::account::revoke_token),
        // One workspace's pages.
        route!(GET "/w/{id}", Workspace(ViewWorkspace), pages::dashboard::page),
        route!(GET "/w/{id}/settings", Workspace(ViewWorkspace), pages::workspaces::settings_page),
        route!(POST "/w/{id}/settings", Workspace(EditWorkspace), pages::workspaces::update),
        route!(GET "/w/{id}/settings/members", Workspace(ViewMembers), pages::members::page),
        route!(POST "/w/{id}/settings/members", Workspace(ManageMembers), pages::members::invite),
        route!(POST "/w/{id}/settings/members/{user_id}/role", Workspace(ManageMembers), pages::members::change_role),
        route!(POST "/w/{id}/settings/members/{user_id}/remove", Workspace(ManageMembers), pages::members::remove),
        route!(POST "/w/{id}/settings/invitations/{invitation_id}/revoke", Workspace(ManageMembers), pages::members::revoke),
        route!(GET "/w/{id}/settings/channels", Workspace(ViewChannels), pages::channels::page),
        route!(POST "/w/{id}/settings/channels", Workspace(ManageChannels), pages::channels::create),
        route!(GET "/w/{id}/settings/channels/fields", Workspace(ManageChannels), pages::channels::fields),
        route!(GET "/w/{id}/settings/channels/{channel_id}", Workspace(ManageChannels), pages::channel_edit::form),
        route!(POST "/w/{id}/settings/channels/{channel_id}", Workspace(ManageChannels), pages::channel_edit::save),
        route!(POST "/w/{id}/settings/channels/{channel_id}/delete", Workspace(ManageChannels), pages::channels::delete),
        route!(GET "/w/{id}/settings/audit", Workspace(EditWorkspace), pages::workspaces::audit_page),
        route!(GET "/w/{id}/settings/theme", Workspace(ViewWorkspace), pages::theme::page),
        route!(POST "/w/{id}/settings/theme", Workspace(EditWorkspace), pages::theme::save),
        route!(GET "/w/{id}/settings/publishing", Workspace(ViewWorkspace), pages::publishing_settings::page),
        route!(POST "/w/{id}/settings/publishing", Workspace(EditWorkspace), pages::publishing_settings::save),
        route!(GET "/w/{id}/settings/review", Workspace(ViewWorkspace), pages::review_rules::page),
        route!(POST "/w/{id}/settings/review", Workspace(EditWorkspace), pages::review_rules::save),
        route!(GET "/w/{id}/content", Workspace(ViewWorkspace), pages::content::list),
        route!(GET "/w/{id}/content/new", Workspace(WriteContent), pages::content::new_page),
        route!(POST "/w/{id}/content/new", Workspace(WriteContent), pages::content::create),
        route!(POST "/w/{id}/content/lint", Workspace(WriteContent), pages::content::lint_preview),
        route!(GET "/w/{id}/content/{post_id}", Workspace(ViewWorkspace), pages::content::detail),
        route!(POST "/w/{id}/content/{post_id}", Workspace(WriteContent), pages::content::save),
        route!(POST "/w/{id}/content/{post_id}/submit", Workspace(WriteContent), pages::content::submit),
        route!(POST "/w/{id}/content/{post_id}/approve", Workspace(ApproveContent), pages::content::approve),
        route!(POST "/w/{id}/content/{post_id}/request-changes", Workspace(ApproveContent), pages::content::request_changes),
        route!(GET "/w/{id}/review", Workspace(ViewWorkspace), pages::content::review_queue),
        route!(GET "/w/{id}/topics", Workspace(ViewWorkspace), pages::topics::page),
        route!(POST "/w/{id}/topics", Workspace(WriteContent), pages::topics::create),
        route!(GET "/w/{id}/topics.csv", Workspace(ViewWorkspace), pages::topics::export),
        route!(POST "/w/{id}/topics/import", Workspace(WriteContent), pages::topics::import),
        route!(POST "/w/{id}/topics/weights", Workspace(EditWorkspace), pages::topics::set_weights),
        route!(POST "/w/{id}/topics/events", Workspace(WriteContent), pages::topics::add_event),
        route!(POST "/w/{id}/topics/events/{event_id}/delete", Workspace(WriteContent), pages::topics::delete_event),
        route!(POST "/w/{id}/topics/{topic_id}/status", Workspace(WriteContent), pages::topics::set_status),
        route!(GET "/w/{id}/topics/brainstorm", Workspace(ViewWorkspace), pages::topics::brainstorm_page),
        route!(POST "/w/{id}/topics/brainstorm", Workspace(WriteContent), pages::topics::brainstorm_grid),
        route!(POST "/w/{id}/topics/brainstorm/keep", Workspace(WriteContent), pages::topics::keep),
        // The media library.
        route!(GET "/w/{id}/media", Workspace(ViewWorkspace), pages::media::page),
        route!(POST "/w/{id}/media", Workspace(WriteContent), pages::media::create),
        route!(GET "/w/{id}/media/{media_id}", Workspace(ViewWorkspace), pages::media::detail),
        route!(POST "/w/{id}/media/{media_id}", Workspace(WriteContent), pages::media::save),
        route!(POST "/w/{id}/media/{media_id}/delete", Workspace(WriteContent), pages::media::delete),
        route!(GET "/w/{id}/media/{media_id}/file", Workspace(ViewWorkspace), pages::media::file),
        route!(GET "/w/{id}/media/{media_id}/thumb", Workspace(ViewWorkspace), pages::media::thumb),
        route!(GET "/w/{id}/media/{media_id}/crop/{ratio}", Workspace(ViewWorkspace), pages::media::crop_image),
        route!(GET "/api/v1/workspaces/{id}/media", Workspace(ViewWorkspace), api::media::list),
        route!(POST "/api/v1/workspaces/{id}/media", Workspace(WriteContent), api::media::upload),
        route!(GET "/api/v1/workspaces/{id}/media/{media_id}", Workspace(ViewWorkspace), api::media::get),
        route!(PATCH "/api/v1/workspaces/{id}/media/{media_id}", Workspace(WriteContent), api::media::update),
        route!(DELETE "/api/v1/workspaces/{id}/media/{media_id}", Workspace(WriteContent), api::media::delete),
        // Versions, comments, variants and live previews of posts.
        route!(POST "/w/{id}/content/preview", Workspace(WriteContent), pages::content::extras::preview),
        // Comments are open to everyone who works on content or answers fans: AnswerInbox
        // is exactly WriteContent ∪ ApproveContent ∪ itself.
        route!(POST "/w/{id}/content/{post_id}/comments", Workspace(AnswerInbox), pages::content::extras::comment),
        route!(POST "/w/{id}/content/{post_id}/variants/{variant_id}", Workspace(WriteContent), pages::content::extras::save_variant),
        route!(POST "/w/{id}/content/{post_id}/variants/{variant_id}/reset", Workspace(WriteContent), pages::content::extras::reset_variant),
        route!(GET "/api/v1/workspaces/{id}/posts/{post_id}/versions", Workspace(ViewWorkspace), api::posts::extras::versions),
        route!(GET "/api/v1/workspaces/{id}/posts/{post_id}/versions/{version}/diff", Workspace(ViewWorkspace), api::posts::extras::diff),
        route!(GET "/api/v1/workspaces/{id}/posts/{post_id}/comments", Workspace(ViewWorkspace), api::posts::extras::comments),
        route!(POST "/api/v1/workspaces/{id}/posts/{post_id}/comments", Workspace(AnswerInbox), api::posts::extras::add_comment),
        route!(PUT "/api/v1/workspaces/{id}/posts/{post_id}/variants/{variant_id}", Workspace(WriteContent), api::posts::extras::edit_variant),
        route!(POST "/api/v1/workspaces/{id}/posts/{post_id}/variants/{variant_id}/reset", Workspace(WriteContent), api::posts::extras::reset_variant),
        // Short-video scripts and the workspace word lists.
        route!(GET "/w/{id}/scripts", Workspace(ViewWorkspace), pages::scripts::list),
        route!(GET "/w/{id}/scripts/new", Workspace(WriteContent), pages::scripts::new_page),
        route!(POST "/w/{id}/scripts/new", Workspace(WriteContent), pages::scripts::create),
        route!(GET "/w/{id}/scripts/{script_id}", Workspace(ViewWorkspace), pages::scripts::edit_page),
        route!(POST "/w/{id}/scripts/{script_id}", Workspace(WriteContent), pages::scripts::save),
        route!(GET "/w/{id}/settings/words", Workspace(ViewWorkspace), pages::words::page),
        route!(POST "/w/{id}/settings/words", Workspace(EditWorkspace), pages::words::save),
        route!(POST "/w/{id}/settings/words/import", Workspace(EditWorkspace), pages::words::import),
        route!(GET "/api/v1/workspaces/{id}/scripts", Workspace(ViewWorkspace), api::scripts::list),
        route!(POST "/api/v1/workspaces/{id}/scripts", Workspace(WriteContent), api::scripts::create),
        route!(GET "/api/v1/workspaces/{id}/scripts/{script_id}", Workspace(ViewWorkspace), api::scripts::get),
        route!(PUT "/api/v1/workspaces/{id}/scripts/{script_id}", Workspace(WriteContent), api::scripts::update),
        route!(GET "/api/v1/workspaces/{id}/word-lists", Workspace(ViewWorkspace), api::words::get),
        route!(PUT "/api/v1/workspaces/{id}/word-lists", Workspace(EditWorkspace), api::words::put),
        // Calendar and publishing pages.
        route!(GET "/w/{id}/calendar", Workspace(ViewWorkspace), pages::calendar::grid::page),
        route!(POST "/w/{id}/calendar/publications/{publication_id}/move", Workspace(SchedulePublications), pages::calendar::actions::move_publication),
        route!(GET "/w/{id}/publications", Workspace(ViewWorkspace), pages::calendar::list::page),
        route!(POST "/w/{id}/publications/{publication_id}/retry", Workspace(SchedulePublications), pages::calendar::actions::retry),
        route!(POST "/w/{id}/publications/{publication_id}/confirm", Workspace(SchedulePublications), pages::calendar::actions::confirm),
        route!(POST "/w/{id}/content/{post_id}/schedule", Workspace(SchedulePublications), pages::calendar::schedule::schedule),
        route!(POST "/w/{id}/content/{post_id}/unschedule", Workspace(SchedulePublications), pages::calendar::schedule::unschedule),
        route!(POST "/w/{id}/settings/channels/{channel_id}/reconnect", Workspace(ManageChannels), pages::calendar::health::reconnect),
        route!(POST "/w/{id}/settings/channels/{channel_id}/slots", Workspace(SchedulePublications), pages::calendar::health::save_slots),
        route!(GET "/w/{id}/{area}", Workspace(ViewWorkspace), pages::dashboard::area),
        // The JSON API.
        route!(GET "/api/v1/openapi.json", Public, api::openapi::document),
        route!(GET "/api/v1/me", Signed, api::workspaces::me),
        route!(GET "/api/v1/workspaces", Signed, api::workspaces::list),
        route!(POST "/api/v1/workspaces", Signed, api::workspaces::create),
        route!(GET "/api/v1/workspaces/{id}", Workspace(ViewWorkspace), api::workspaces::get),
        route!(GET "/api/v1/workspaces/{id}/channels", Workspace(ViewChannels), api::channels::list),
        route!(POST "/api/v1/workspaces/{id}/channels", Workspace(ManageChannels), api::channels::create),
        route!(PUT "/api/v1/workspaces/{id}/channels/{channel_id}", Workspace(ManageChannels), api::channels::update),
        route!(DELETE "/api/v1/workspaces/{id}/channels/{channel_id}", Workspace(ManageChannels), api::channels::delete),
        route!(GET "/api/v1/workspaces/{id}/members", Workspace(ViewMembers), api::members::list),
        route!(POST "/api/v1/workspaces/{id}/members", Workspace(ManageMembers), api::members::add),
        route!(PATCH "/api/v1/workspaces/{id}/members/{user_id}", Workspace(ManageMembers), api::members::update),
        route!(DELETE "/api/v1/workspaces/{id}/members/{user_id}", Workspace(ManageMembers), api::members::remove),
        route!(GET "/api/v1/workspaces/{id}/topics", Workspace(ViewWorkspace), api::topics::list),
        route!(POST "/api/v1/workspaces/{id}/topics", Workspace(WriteContent), api::topics::create),
        route!(GET "/api/v1/workspaces/{id}/topics.csv", Workspace(ViewWorkspace), api::topics::export),
        route!(GET "/api/v1/workspaces/{id}/topic-weights", Workspace(ViewWorkspace), api::topics::weights),
        route!(GET "/api/v1/workspaces/{id}/calendar-events", Workspace(ViewWorkspace), api::topics::calendar_events),
        route!(POST "/api/v1/workspaces/{id}/calendar-events", Workspace(WriteContent), api::topics::add_calendar_event),
        route!(DELETE "/api/v1/workspaces/{id}/calendar-events/{event_id}", Workspace(WriteContent), api::topics::delete_calendar_event),
        route!(PUT "/api/v1/workspaces/{id}/topic-weights", Workspace(EditWorkspace), api::topics::set_weights),
        route!(POST "/api/v1/workspaces/{id}/topics/import", Workspace(WriteContent), api::topics::import),
        route!(POST "/api/v1/workspaces/{id}/topics/{topic_id}/status", Workspace(WriteContent), api::topics::set_status),
        route!(GET "/api/v1/workspaces/{id}/theme", Workspace(ViewWorkspace), api::theme::get),
        route!(PUT "/api/v1/workspaces/{id}/theme", Workspace(EditWorkspace), api::theme::put),
        route!(GET "/api/v1/workspaces/{id}/approval-rules", Workspace(ViewWorkspace), api::posts::rules),
        route!(PUT "/api/v1/workspaces/{id}/approval-rules", Workspace(EditWorkspace), api::posts::set_rules),
        route!(GET "/api/v1/workspaces/{id}/posts", Workspace(ViewWorkspace), api::posts::list),
        route!(POST "/api/v1/workspaces/{id}/posts", Workspace(WriteContent), api::posts::create),
        route!(GET "/api/v1/workspaces/{id}/posts/{post_id}", Workspace(ViewWorkspace), api::posts::get),
        route!(PUT "/api/v1/workspaces/{id}/posts/{post_id}", Workspace(WriteContent), api::posts::edit),
        route!(GET "/api/v1/workspaces/{id}/posts/{post_id}/lint", Workspace(ViewWorkspace), api::posts::lint),
        route!(POST "/api/v1/workspaces/{id}/posts/{post_id}/submit", Workspace(WriteContent), api::posts::submit),
        route!(POST "/api/v1/workspaces/{id}/posts/{post_id}/approve", Workspace(ApproveContent), api::posts::approve),
        route!(POST "/api/v1/workspaces/{id}/posts/{post_id}/request-changes", Workspace(ApproveContent), api::posts::request_changes),
        // Publishing: schedules, publications, channel health, queue slots, golden time.
        route!(POST "/api/v1/workspaces/{id}/posts/{post_id}/schedule", Workspace(SchedulePublications), api::publishing::schedule),
        route!(POST "/api/v1/workspaces/{id}/posts/{post_id}/unschedule", Workspace(SchedulePublications), api::publishing::unschedule),
        route!(GET "/api/v1/workspaces/{id}/publications", Workspace(ViewWorkspace), api::publishing::list),
        route!(POST "/api/v1/workspaces/{id}/publications/{publication_id}/confirm", Workspace(SchedulePublications), api::publishing::confirm),
        route!(POST "/api/v1/workspaces/{id}/publications/{publication_id}/retry", Workspace(SchedulePublications), api::publishing::retry),
        route!(GET "/api/v1/workspaces/{id}/channels/{channel_id}/health", Workspace(ViewChannels), api::publishing::health),
        route!(POST "/api/v1/workspaces/{id}/channels/{channel_id}/reconnect", Workspace(ManageChannels), api::publishing::reconnect),
        route!(GET "/api/v1/workspaces/{id}/channels/{channel_id}/slots", Workspace(ViewChannels), api::publishing::slots),
        route!(PUT "/api/v1/workspaces/{id}/channels/{channel_id}/slots", Workspace(SchedulePublications), api::publishing::set_slots),
        route!(GET "/api/v1/workspaces/{id}/channels/{channel_id}/golden-time", Workspace(ViewChannels), api::publishing::golden_time),
        route!(GET "/api/v1/workspaces/{id}/publishing-settings", Workspace(ViewWorkspace), api::publishing::settings),
        route!(PUT "/api/v1/workspaces/{id}/publishing-settings", Workspace(EditWorkspace), api::publishing::set_settings),
        // Platform callbacks.
        route!(GET "/hooks/wechat/{channel_id}", Callback, hooks::wechat_verify),
        route!(POST "/hooks/wechat/{channel_id}", Callback, hooks::wechat_push),
        // Notifications.
        route!(GET "/w/{id}/notifications", Workspace(ViewWorkspace), pages::notifications::page),
        route!(POST "/w/{id}/notifications/read", Workspace(ViewWorkspace), pages::notifications::mark_read),
        route!(POST "/w/{id}/notifications/{notification_id}/read", Workspace(ViewWorkspace), pages::notifications::mark_one_read),
        route!(GET "/w/{id}/settings/notifications", Workspace(EditWorkspace), pages::notifications::settings_page),
        route!(POST "/w/{id}/settings/notifications", Workspace(EditWorkspace), pages::notifications::add_target),
        route!(POST "/w/{id}/settings/notifications/{target_id}/delete", Workspace(EditWorkspace), pages::notifications::delete_target),
        route!(GET "/api/v1/workspaces/{id}/notifications", Workspace(ViewWorkspace), api::notifications::list),
        route!(POST "/api/v1/workspaces/{id}/notifications/read", Workspace(ViewWorkspace), api::notifications::mark_read),
        route!(POST "/api/v1/workspaces/{id}/notifications/{notification_id}/read", Workspace(ViewWorkspace), api::notifications::mark_one_read),
        route!(GET "/api/v1/workspaces/{id}/notification-targets", Workspace(EditWorkspace), api::notifications::targets),
        route!(POST "/api/v1/workspaces/{id}/notification-targets", Workspace(EditWorkspace), api::notifications::add_target),
        route!(DELETE "/api/v1/workspaces/{id}/notification-targets/{target_id}", Workspace(EditWorkspace), api::notifications::delete_target),
    ]
}

/// Builds the router from the table, each route behind its gate.
pub(crate) fn router(state: AppState) -> Router<AppState> {
    let mut router = Router::new();
    for spec in table() {
        let filter =
            MethodFilter::try_from(spec.method.clone()).expect("the table uses standard methods");
        let (access, api) = (spec.access, spec.is_api());
        let gated = (spec.make)(filter).layer(axum::middleware::from_fn_with_state(
            state.clone(),
            move |s, req, next| gate::gate(s, access, api, req, next),
        ));
        router = router.route(spec.path, gated);
    }
    router
}
