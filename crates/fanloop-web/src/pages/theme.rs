//! Settings → 排版主题: the workspace's WeChat theme (a built-in one plus its own CSS),
//! with a sample article previewed in it.

use super::{FieldErrors, Page, SavedQuery, Shell, render};
use crate::AppState;
use crate::form::Form;
use crate::gate::WorkspaceCtx;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use fanloop_domain::Permission;
use fanloop_render::{Body, Options, THEMES, Target};
use serde::Deserialize;

/// The sample the preview renders: every element a theme styles.
const SAMPLE: &str = "## 桂花拿铁回来了\n\n秋天的第一杯，留给**桂花**。[门店地址](https://example.com/store)\n\n> 甜而不腻，像九月的风。\n\n- 门店限定\n- 第二杯半价\n\n```\n温度 65°C\n```\n\n| 杯型 | 价格 |\n| --- | --- |\n| 中杯 | 28 |\n";

#[derive(Template)]
#[template(path = "settings_theme.html")]
struct ThemePage {
    shell: Shell,
    theme: String,
    custom_css: String,
    themes: &'static [&'static str],
    can_edit: bool,
    saved: bool,
    errors: FieldErrors,
    preview: String,
}

fn preview(theme: &fanloop_render::Theme) -> String {
    let options = Options {
        title: Some("排版预览".into()),
        tags: Vec::new(),
        theme: theme.clone(),
    };
    match fanloop_render::render(SAMPLE, Target::Wechat, &options).body {
        Body::Html(html) => html,
        other => other.as_str().to_owned(),
    }
}

pub async fn page(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Query(q): Query<SavedQuery>,
) -> Response {
    let (theme, custom_css) = match state.store.theme_settings(ctx.id()).await {
        Ok(found) => found,
        Err(e) => return page.fail(&e),
    };
    let built = crate::theme::build(&theme, &custom_css).unwrap_or_default();
    show(
        &state,
        &page,
        &ctx,
        StatusCode::OK,
        theme,
        custom_css,
        FieldErrors::default(),
        q.saved.is_some(),
        preview(&built),
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn show(
    state: &AppState,
    page: &Page,
    ctx: &WorkspaceCtx,
    status: StatusCode,
    theme: String,
    custom_css: String,
    errors: FieldErrors,
    saved: bool,
    preview: String,
) -> Response {
    match Shell::load(state, page, Some(ctx), "settings").await {
        Ok(shell) => {
            let can_edit = ctx.role.allows(Permission::EditWorkspace);
            render(
                status,
                &ThemePage {
                    shell,
                    theme,
                    custom_css,
                    themes: &THEMES,
                    can_edit,
                    saved,
                    errors,
                    preview,
                },
            )
        }
        Err(response) => response,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ThemeForm {
    theme: String,
    custom_css: String,
}

pub async fn save(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Form(form): Form<ThemeForm>,
) -> Response {
    match crate::theme::build(&form.theme, &form.custom_css) {
        Ok(_) => match state
            .store
            .set_theme_settings(
                ctx.id(),
                page.principal.user.id,
                form.theme.trim(),
                &form.custom_css,
            )
            .await
        {
            Ok(()) => Redirect::to(&format!("/w/{}/settings/theme?saved=1", ctx.workspace.id))
                .into_response(),
            Err(e) => page.fail(&e),
        },
        Err(message) => {
            // Keep what was typed and preview the built-in theme alone.
            let fallback = crate::theme::build(&form.theme, "").unwrap_or_default();
            let errors = FieldErrors::one("custom_css", message);
            show(
                &state,
                &page,
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                form.theme,
                form.custom_css,
                errors,
                false,
                preview(&fallback),
            )
            .await
        }
    }
}
