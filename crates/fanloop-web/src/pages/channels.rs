//! The channels page: the accounts of the workspace's matrix, and adding one. The
//! settings fields follow the chosen platform (htmx swaps them in). Each channel shows
//! its publishing health and weekly queue slots (`calendar::health`).

use super::calendar::health::{self, HealthLine, SlotsTyped};
use super::{FieldErrors, Page, Shell, render};
use crate::AppState;
use crate::form::Form;
use crate::gate::WorkspaceCtx;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use fanloop_domain::{ChannelDraft, ChannelId, Permission, Platform, PlatformTier, SettingField};
use fanloop_store::Channel;
use serde::Deserialize;
use std::collections::HashMap;

/// One settings input as the form shows it.
#[derive(Clone)]
pub struct FieldView {
    pub key: &'static str,
    pub required: bool,
    pub secret: bool,
    pub url: bool,
    /// A select of these codes instead of a text input.
    pub choices: &'static [&'static str],
    pub integer: bool,
    /// What was typed or saved. A secret's value is never written into the page.
    pub value: String,
    /// A secret the channel already holds: the input may stay empty to keep it.
    pub kept: bool,
}

impl FieldView {
    /// Whether `choice` is the selected option: the value given, else the first (the
    /// setting's default).
    fn selected(&self, choice: &str) -> bool {
        if self.value.is_empty() {
            self.choices.first() == Some(&choice)
        } else {
            self.value == choice
        }
    }
}

#[derive(Template)]
#[template(path = "settings_channels.html")]
struct ChannelsPage {
    shell: Shell,
    channels: Vec<Channel>,
    can_manage: bool,
    platforms: &'static [Platform],
    platform: String,
    name: String,
    fields: Vec<FieldView>,
    errors: FieldErrors,
    /// Catalog key of a success note to show.
    notice: Option<&'static str>,
    /// Publishing health and queue slots, one per channel.
    health: Vec<HealthLine>,
    /// Editors keep queue slots; only managers reconnect.
    can_schedule: bool,
}

#[derive(Template)]
#[template(path = "channel_fields.html")]
struct FieldsFragment {
    shell_tr: crate::i18n::Tr,
    fields: Vec<FieldView>,
    errors: FieldErrors,
}

/// The settings inputs as HTML, for the add form and the edit page alike.
pub(super) fn fields_html(
    tr: crate::i18n::Tr,
    fields: Vec<FieldView>,
    errors: FieldErrors,
) -> String {
    let fragment = FieldsFragment {
        shell_tr: tr,
        fields,
        errors,
    };
    fragment.render().unwrap_or_default()
}

pub(super) trait Labels {
    fn tr(&self) -> &crate::i18n::Tr;
    fn platform_label(&self, p: &Platform) -> &'static str {
        p.label(self.tr().lang)
    }
    fn tier_label(&self, p: &Platform) -> &'static str {
        self.tr().t(match p.tier() {
            PlatformTier::Api => "tier.api",
            PlatformTier::Assisted => "tier.assisted",
            PlatformTier::Sandbox => "tier.sandbox",
        })
    }
    fn field_label(&self, key: &str) -> &'static str {
        self.tr().t(&format!("field.{key}"))
    }
    fn choice_label(&self, key: &str, choice: &str) -> &'static str {
        self.tr().t(&format!("choice.{key}.{choice}"))
    }
    /// A line under the input, for settings whose use is not obvious from the label.
    fn field_hint(&self, key: &str) -> Option<&'static str> {
        let key = format!("hint.{key}");
        crate::i18n::has_key(&key).then(|| self.tr().t(&key))
    }
}

impl Labels for ChannelsPage {
    fn tr(&self) -> &crate::i18n::Tr {
        &self.shell.tr
    }
}

impl Labels for FieldsFragment {
    fn tr(&self) -> &crate::i18n::Tr {
        &self.shell_tr
    }
}

impl ChannelsPage {
    /// "微信公众号 · 接口发布"; the sandbox needs no tier after its name.
    fn platform_option(&self, p: &Platform) -> String {
        match p.tier() {
            PlatformTier::Sandbox => self.platform_label(p).to_owned(),
            _ => format!("{} · {}", self.platform_label(p), self.tier_label(p)),
        }
    }

    fn channel_platform(&self, c: &Channel) -> &'static str {
        self.platform_label(&c.platform)
    }

    fn platform_code(&self, c: &Channel) -> &'static str {
        c.platform.code()
    }

    fn channel_tier(&self, c: &Channel) -> &'static str {
        self.tier_label(&c.platform)
    }

    fn health_of(&self, c: &Channel) -> Option<&HealthLine> {
        self.health.iter().find(|h| h.channel_id == c.id)
    }

    /// The platform's settings inputs, rendered by the same template htmx swaps in.
    fn fields_html(&self) -> String {
        fields_html(self.shell.tr, self.fields.clone(), self.errors.clone())
    }
}

pub(super) fn field_views(platform: &str, values: &HashMap<String, String>) -> Vec<FieldView> {
    let spec: &[SettingField] = Platform::parse(platform)
        .map(Platform::settings_spec)
        .unwrap_or(&[]);
    spec.iter()
        .map(|f| FieldView {
            key: f.key,
            required: f.required,
            secret: f.secret,
            url: f.url,
            choices: f.choices,
            integer: f.integer,
            value: values
                .get(&format!("settings.{}", f.key))
                .cloned()
                .unwrap_or_default(),
            kept: false,
        })
        .collect()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CreatedQuery {
    created: Option<String>,
    deleted: Option<String>,
    /// Held publications released after a reconnect.
    released: Option<String>,
    /// Queue slots saved.
    slots: Option<String>,
    /// A channel's settings saved (`channel_edit`), with `released` when held posts
    /// went back in the queue.
    updated: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Query(q): Query<CreatedQuery>,
) -> Response {
    let released = q.released.as_deref().is_some_and(|n| n != "0");
    let notice = if q.updated.is_some() {
        Some(if released {
            "channels.updated_released"
        } else {
            "channels.updated"
        })
    } else if q.created.is_some() {
        Some("channels.created")
    } else if q.deleted.is_some() {
        Some("channels.deleted")
    } else if q.released.is_some() {
        Some("pubs.health.released")
    } else if q.slots.is_some() {
        Some("schedule.slots_saved")
    } else {
        None
    };
    show(
        &state,
        &page,
        &ctx,
        StatusCode::OK,
        Platform::Sandbox.code(),
        "",
        &HashMap::new(),
        FieldErrors::default(),
        notice,
        None,
    )
    .await
}

/// The page again with refused queue slots kept in their channel's box.
pub(crate) async fn show_with_slots(
    state: &AppState,
    page: &Page,
    ctx: &WorkspaceCtx,
    typed: SlotsTyped,
) -> Response {
    show(
        state,
        page,
        ctx,
        StatusCode::UNPROCESSABLE_ENTITY,
        Platform::Sandbox.code(),
        "",
        &HashMap::new(),
        FieldErrors::default(),
        None,
        Some(typed),
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn show(
    state: &AppState,
    page: &Page,
    ctx: &WorkspaceCtx,
    status: StatusCode,
    platform: &str,
    name: &str,
    values: &HashMap<String, String>,
    errors: FieldErrors,
    notice: Option<&'static str>,
    slots: Option<SlotsTyped>,
) -> Response {
    let shell = match Shell::load(state, page, Some(ctx), "settings").await {
        Ok(shell) => shell,
        Err(response) => return response,
    };
    let channels = match state.store.channels(ctx.id()).await {
        Ok(channels) => channels,
        Err(e) => return page.fail(&e),
    };
    let health = match health::lines(state, &page.tr, ctx, &channels, slots.as_ref()).await {
        Ok(health) => health,
        Err(e) => return page.fail(&e),
    };
    let view = ChannelsPage {
        shell,
        channels,
        can_manage: ctx.role.allows(Permission::ManageChannels),
        platforms: &Platform::ALL,
        platform: platform.to_owned(),
        name: name.to_owned(),
        fields: field_views(platform, values),
        errors,
        notice,
        health,
        can_schedule: ctx.role.allows(Permission::SchedulePublications),
    };
    render(status, &view)
}

pub async fn create(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let platform = form.get("platform").cloned().unwrap_or_default();
    let name = form.get("name").cloned().unwrap_or_default();
    let settings: serde_json::Map<String, serde_json::Value> = form
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("settings.")?.to_owned(), v.trim())))
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k, serde_json::Value::String(v.to_owned())))
        .collect();
    let settings = serde_json::Value::Object(settings);
    match ChannelDraft::parse(&platform, &name, Some(&settings)) {
        Ok(draft) => match state
            .store
            .create_channel(
                ctx.id(),
                page.principal.user.id,
                draft.platform,
                &draft.name,
                &draft.settings,
            )
            .await
        {
            Ok(_) => Redirect::to(&format!(
                "/w/{}/settings/channels?created=1",
                ctx.workspace.id
            ))
            .into_response(),
            Err(e) => page.fail(&e),
        },
        Err(errors) => {
            let tr = page.tr;
            let errors =
                FieldErrors::worded(&errors, |e| crate::api::channels::setting_problem(&tr, e));
            show(
                &state,
                &page,
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                &platform,
                &name,
                &form,
                errors,
                None,
                None,
            )
            .await
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FieldsQuery {
    platform: String,
}

/// The settings inputs for one platform, swapped into the form by htmx.
pub async fn fields(page: Page, Query(q): Query<FieldsQuery>) -> Response {
    let fragment = FieldsFragment {
        shell_tr: page.tr,
        fields: field_views(&q.platform, &HashMap::new()),
        errors: FieldErrors::default(),
    };
    render(StatusCode::OK, &fragment)
}

pub async fn delete(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Path((_, channel_id)): Path<(i64, i64)>,
) -> Response {
    match state
        .store
        .delete_channel(ctx.id(), ChannelId(channel_id), page.principal.user.id)
        .await
    {
        Ok(()) => Redirect::to(&format!(
            "/w/{}/settings/channels?deleted=1",
            ctx.workspace.id
        ))
        .into_response(),
        Err(fanloop_store::StoreError::NotFound) => {
            page.refuse(StatusCode::NOT_FOUND, page.tr.t("error.not_found"))
        }
        Err(e) => page.fail(&e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Labels are looked up by computed keys, which the catalog test cannot see: every
    /// setting of every platform, and every choice of a select, needs its words.
    #[test]
    fn every_setting_and_choice_has_a_label() {
        let mut missing = Vec::new();
        for p in Platform::ALL {
            for f in p.settings_spec() {
                let mut keys = vec![format!("field.{}", f.key)];
                keys.extend(f.choices.iter().map(|c| format!("choice.{}.{c}", f.key)));
                missing.extend(keys.into_iter().filter(|k| !crate::i18n::has_key(k)));
            }
        }
        assert!(missing.is_empty(), "missing from the catalog: {missing:?}");
    }

    #[test]
    fn a_select_defaults_to_its_first_choice() {
        let mut view = FieldView {
            key: "delivery",
            required: false,
            secret: false,
            url: false,
            choices: fanloop_domain::WechatDelivery::CHOICES,
            integer: false,
            value: String::new(),
            kept: false,
        };
        assert!(view.selected("publish") && !view.selected("mass_all"));
        view.value = "mass_tag".into();
        assert!(view.selected("mass_tag") && !view.selected("publish"));
    }
}
