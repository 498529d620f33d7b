//! Editing one channel: its name and its platform's settings. Saved secrets are never
//! sent to the browser: their inputs stay empty, and an input left empty keeps the
//! stored value. Validation is the domain's (`ChannelDraft::parse`), on the settings
//! as they will be stored, so a kept secret satisfies "required" like a typed one.
//!
//! Saving new credentials or connection settings is a reconnect: the store clears
//! "needs reconnect" and queues held publications again in the same transaction, and
//! the list says so. A rename alone is only a rename.

use super::channels::{FieldView, Labels, field_views, fields_html};
use super::{FieldErrors, Page, Shell, render};
use crate::AppState;
use crate::form::Form;
use crate::gate::WorkspaceCtx;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use fanloop_domain::{ChannelDraft, ChannelId, Platform};
use fanloop_store::{Channel, StoreError};
use std::collections::HashMap;

#[derive(Template)]
#[template(path = "settings_channel_edit.html")]
struct EditPage {
    shell: Shell,
    channel: Channel,
    name: String,
    fields: Vec<FieldView>,
    errors: FieldErrors,
    /// Refusals that belong to no input on the page.
    general: Vec<String>,
    /// New secrets were typed but the form was refused: they are not echoed back, so
    /// the person is asked to type them again.
    retype: bool,
}

impl Labels for EditPage {
    fn tr(&self) -> &crate::i18n::Tr {
        &self.shell.tr
    }
}

impl EditPage {
    fn fields_html(&self) -> String {
        fields_html(self.shell.tr, self.fields.clone(), self.errors.clone())
    }

    fn platform_name(&self) -> &'static str {
        self.platform_label(&self.channel.platform)
    }
}

/// The channel in this workspace, or the 404 page: an id from another workspace finds
/// nothing, exactly like an id that never existed.
async fn find(
    state: &AppState,
    page: &Page,
    ctx: &WorkspaceCtx,
    channel_id: i64,
) -> Result<Channel, Response> {
    match state.store.channels(ctx.id()).await {
        Ok(channels) => channels
            .into_iter()
            .find(|c| c.id == channel_id)
            .ok_or_else(|| page.refuse(StatusCode::NOT_FOUND, page.tr.t("error.not_found"))),
        Err(e) => Err(page.fail(&e)),
    }
}

pub async fn form(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Path((_, channel_id)): Path<(i64, i64)>,
) -> Response {
    let channel = match find(&state, &page, &ctx, channel_id).await {
        Ok(c) => c,
        Err(response) => return response,
    };
    let values: HashMap<String, String> = channel
        .settings
        .iter()
        .map(|(k, v)| (format!("settings.{k}"), v.clone()))
        .collect();
    let name = channel.name.clone();
    show(
        &state,
        &page,
        &ctx,
        StatusCode::OK,
        channel,
        &name,
        &values,
        (FieldErrors::default(), Vec::new()),
        false,
    )
    .await
}

pub async fn save(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Path((_, channel_id)): Path<(i64, i64)>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let channel = match find(&state, &page, &ctx, channel_id).await {
        Ok(c) => c,
        Err(response) => return response,
    };
    let name = form.get("name").cloned().unwrap_or_default();
    // What was typed, as the add form reads it: unknown keys go on to be refused.
    let mut settings: serde_json::Map<String, serde_json::Value> = form
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("settings.")?.to_owned(), v.trim())))
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k, serde_json::Value::String(v.to_owned())))
        .collect();
    let spec = channel.platform.settings_spec();
    let typed_secret = spec
        .iter()
        .any(|f| f.secret && settings.contains_key(f.key));
    // Secrets left empty keep their stored values.
    let keep: Vec<&str> = spec
        .iter()
        .filter(|f| f.secret && !settings.contains_key(f.key))
        .filter(|f| channel.secrets_set.iter().any(|k| k == f.key))
        .map(|f| f.key)
        .collect();
    if !keep.is_empty() {
        let stored = match state
            .store
            .channel_secrets(ctx.id(), ChannelId(channel_id))
            .await
        {
            Ok(stored) => stored,
            Err(e) => return page.fail(&e),
        };
        for key in keep {
            if let Some(value) = stored.get(key) {
                settings.insert(key.to_owned(), serde_json::Value::String(value.clone()));
            }
        }
    }
    let settings = serde_json::Value::Object(settings);
    let draft = match ChannelDraft::parse(channel.platform.code(), &name, Some(&settings)) {
        Ok(draft) => draft,
        Err(errors) => {
            let tr = page.tr;
            let worded =
                FieldErrors::worded(&errors, |e| crate::api::channels::setting_problem(&tr, e));
            let general = errors
                .iter()
                .filter(|e| !shown_in_place(channel.platform, &e.field))
                .map(|e| crate::api::channels::setting_problem(&tr, e))
                .collect();
            return show(
                &state,
                &page,
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                channel,
                &name,
                &form,
                (worded, general),
                typed_secret,
            )
            .await;
        }
    };
    let reconnect = typed_secret || draft.settings.public != channel.settings;
    match state
        .store
        .update_channel(
            ctx.id(),
            ChannelId(channel_id),
            page.principal.user.id,
            &draft.name,
            &draft.settings,
            reconnect,
        )
        .await
    {
        Ok(released) => {
            if released > 0 {
                state.wake.wake();
            }
            Redirect::to(&format!(
                "/w/{}/settings/channels?updated=1&released={released}#channel-{channel_id}",
                ctx.workspace.id
            ))
            .into_response()
        }
        Err(StoreError::NotFound) => {
            page.refuse(StatusCode::NOT_FOUND, page.tr.t("error.not_found"))
        }
        Err(e) => page.fail(&e),
    }
}

/// Whether a refusal of `field` is shown beside an input of this page.
fn shown_in_place(platform: Platform, field: &str) -> bool {
    field == "name"
        || field
            .strip_prefix("settings.")
            .is_some_and(|key| platform.settings_spec().iter().any(|f| f.key == key))
}

#[allow(clippy::too_many_arguments)]
async fn show(
    state: &AppState,
    page: &Page,
    ctx: &WorkspaceCtx,
    status: StatusCode,
    channel: Channel,
    name: &str,
    values: &HashMap<String, String>,
    (errors, general): (FieldErrors, Vec<String>),
    retype: bool,
) -> Response {
    let shell = match Shell::load(state, page, Some(ctx), "settings").await {
        Ok(shell) => shell,
        Err(response) => return response,
    };
    let fields = field_views(channel.platform.code(), values)
        .into_iter()
        .map(|f| FieldView {
            kept: f.secret && channel.secrets_set.iter().any(|k| k == f.key),
            ..f
        })
        .collect();
    let view = EditPage {
        shell,
        channel,
        name: name.to_owned(),
        fields,
        errors,
        general,
        retype,
    };
    render(status, &view)
}
