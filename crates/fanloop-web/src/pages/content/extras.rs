//! The post page's smaller actions: commenting, editing or resetting one variant, and
//! the live preview the editor asks for as the operator types.

use super::detail::{Preview, after, preview_of};
use crate::AppState;
use crate::form::Form;
use crate::gate::WorkspaceCtx;
use crate::i18n::Tr;
use crate::pages::{Page, render};
use crate::review::{self, extras as post_extras};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use fanloop_domain::{Platform, PostDraft};
use fanloop_store::post_extras::VariantEdit;
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CommentForm {
    body: String,
}

pub async fn comment(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Path((_, post_id)): Path<(i64, i64)>,
    Form(f): Form<CommentForm>,
) -> Response {
    let result = post_extras::comment(&state, &page.tr, &page.principal, &ctx, post_id, &f.body)
        .await
        .map(|_| ())
        .map_err(|mut e| {
            // The thread's textarea is `comment_body`, apart from the master's `body`.
            for p in &mut e.errors {
                if p.field == "body" {
                    p.field = "comment_body".into();
                }
            }
            e
        });
    after(&state, &page, &ctx, post_id, result, "comment", None).await
}

pub async fn save_variant(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Path((_, post_id, variant_id)): Path<(i64, i64, i64)>,
    Form(fields): Form<HashMap<String, String>>,
) -> Response {
    let get = |k: &str| fields.get(k).map(String::as_str).unwrap_or("");
    let tags: Vec<String> = get("tags")
        .split([',', '，', ' ', '\n'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    let cover = match get("cover_media_id").trim() {
        "" => Ok(None),
        raw => raw.parse::<i64>().map(Some),
    };
    let result = match (PostDraft::parse(get("title"), get("body"), &tags), cover) {
        (Ok(draft), Ok(cover_media_id)) => {
            let edit = VariantEdit {
                title: draft.title,
                body: draft.body,
                tags: draft.tags,
                cover_media_id,
            };
            match review::load(&state, &page.tr, &ctx, post_id).await {
                Ok(post) => {
                    post_extras::change_variant(
                        &state,
                        &page.tr,
                        &page.principal,
                        &ctx,
                        &post,
                        variant_id,
                        Some(&edit),
                    )
                    .await
                }
                Err(e) => Err(e),
            }
        }
        (Err(errors), _) => Err(crate::api::invalid(&page.tr, errors)),
        (_, Err(_)) => Err(crate::error::ApiError::fields(
            &page.tr,
            vec![crate::error::FieldProblem {
                field: "cover_media_id".into(),
                message: page.tr.t("extras.bad_number").into(),
            }],
        )),
    };
    // Field errors of a variant form are shown under that variant.
    let result = result.map_err(|mut e| {
        for p in &mut e.errors {
            p.field = format!("variant-{variant_id}");
        }
        e
    });
    after(&state, &page, &ctx, post_id, result, "variant", None).await
}

pub async fn reset_variant(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Path((_, post_id, variant_id)): Path<(i64, i64, i64)>,
) -> Response {
    let result = match review::load(&state, &page.tr, &ctx, post_id).await {
        Ok(post) => {
            post_extras::change_variant(
                &state,
                &page.tr,
                &page.principal,
                &ctx,
                &post,
                variant_id,
                None,
            )
            .await
        }
        Err(e) => Err(e),
    };
    after(&state, &page, &ctx, post_id, result, "reset", None).await
}

#[derive(Template)]
#[template(path = "content_preview.html")]
struct PreviewFragment {
    tr: Tr,
    p: Preview,
}

/// The typed title, body and tags as the chosen platform shows them, in the phone
/// frame; htmx swaps it in as the operator types. An unknown platform shows plain text.
pub async fn preview(
    State(state): State<AppState>,
    page: Page,
    ctx: WorkspaceCtx,
    Form(fields): Form<HashMap<String, String>>,
) -> Response {
    let theme = match crate::theme::workspace_theme(&state, &page.tr, ctx.id()).await {
        Ok(theme) => theme,
        Err(e) => return page.refuse(e.status, &e.detail),
    };
    let get = |k: &str| fields.get(k).map(String::as_str).unwrap_or("");
    let platform = Platform::parse(get("platform")).unwrap_or(Platform::Sandbox);
    let tags: Vec<String> = get("tags")
        .split([',', '，', ' ', '\n'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    let id = get("variant_id").parse().unwrap_or(0);
    let label = platform.label(page.tr.lang).to_owned();
    let p = preview_of(
        id,
        label,
        platform,
        get("title"),
        get("body"),
        &tags,
        &theme,
    );
    render(StatusCode::OK, &PreviewFragment { tr: page.tr, p })
}
