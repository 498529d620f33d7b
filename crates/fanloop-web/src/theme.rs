//! The workspace's WeChat theme as the renderer needs it.

use crate::AppState;
use crate::error::ApiError;
use crate::i18n::Tr;
use fanloop_domain::WorkspaceId;
use fanloop_render::Theme;

/// Builds a theme from a built-in name and custom CSS; the error says which line.
pub fn build(name: &str, custom_css: &str) -> Result<Theme, String> {
    let theme = Theme::named(name).map_err(|e| e.to_string())?;
    if custom_css.trim().is_empty() {
        return Ok(theme);
    }
    theme.with_css(custom_css).map_err(|e| e.to_string())
}

/// The workspace's theme. Stored settings were validated when saved; should they ever
/// stop parsing (a renderer upgrade dropping a property), the built-in theme is used
/// and the problem logged rather than breaking every preview.
pub async fn workspace_theme(
    state: &AppState,
    tr: &Tr,
    workspace: WorkspaceId,
) -> Result<Theme, ApiError> {
    let (name, css) = state
        .store
        .theme_settings(workspace)
        .await
        .map_err(|e| ApiError::store(tr, e))?;
    Ok(build(&name, &css).unwrap_or_else(|e| {
        tracing::warn!(workspace = workspace.0, error = %e, "stored theme no longer parses; using the default");
        Theme::default()
    }))
}
