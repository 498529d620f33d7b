//! Turns a publication into what a connector sends: the channel's variant rendered for
//! its platform (with the workspace's WeChat theme), the cover and the body images read
//! from the media library.

use super::PublisherConfig;
use fanloop_domain::WorkspaceId;
use fanloop_platforms::{ErrorClass, MediaFile, Outgoing, PublishError, Reason};
use fanloop_render::{Options, Target, Theme};
use fanloop_store::publishing::JobContext;
use fanloop_store::{Store, StoreError};

pub async fn build(
    store: &Store,
    config: &PublisherConfig,
    workspace: WorkspaceId,
    context: &JobContext,
) -> Result<Result<Outgoing, PublishError>, StoreError> {
    let publication = &context.publication;
    let platform = context.connection.platform;
    let rejected = |detail: String| {
        Err(PublishError::new(
            ErrorClass::Rejected,
            Reason::ContentRejected,
            detail,
        ))
    };
    let Some(target) = Target::for_platform(platform) else {
        return Ok(Err(PublishError::new(
            ErrorClass::Rejected,
            Reason::NotConnectable,
            format!("no renderer for {}", platform.code()),
        )));
    };
    let content = &context.content;
    let (title, body, tags, cover_id) = (
        &content.title,
        &content.body,
        &content.tags,
        content.cover_media_id,
    );
    let theme = if target == Target::Wechat {
        let (name, css) = store.theme_settings(workspace).await?;
        Theme::named(&name)
            .and_then(|t| {
                if css.trim().is_empty() {
                    Ok(t)
                } else {
                    t.with_css(&css)
                }
            })
            .unwrap_or_default()
    } else {
        // Parsed once: only WeChat reads a theme, but the options carry one.
        static PLAIN: std::sync::LazyLock<Theme> = std::sync::LazyLock::new(Theme::default);
        PLAIN.clone()
    };
    let options = Options {
        title: Some(title.clone()),
        tags: tags.clone(),
        theme,
    };
    let rendered = fanloop_render::render(body, target, &options);

    let mut images = Vec::new();
    for slot in &rendered.images {
        // Library images are uploaded; an outside URL stays a link in the text (the
        // linter warns about those for platforms that filter them).
        let Some(id) = library_id(&slot.url, workspace) else {
            continue;
        };
        match read(store, config, workspace, id, &slot.alt).await? {
            Some(file) => images.push(file),
            None => {
                return Ok(rejected(format!(
                    "image {} is no longer in the media library",
                    slot.index
                )));
            }
        }
    }
    let cover = match cover_id {
        Some(id) => match read(store, config, workspace, id, "").await? {
            Some(file) => Some(file),
            None => {
                return Ok(rejected(
                    "the cover is no longer in the media library".into(),
                ));
            }
        },
        None => None,
    };
    Ok(Ok(Outgoing {
        key: publication.idem_key.clone(),
        rendered,
        cover,
        images,
        first_attempt_ms: publication.first_attempt_at.unwrap_or_else(crate::now_ms),
    }))
}

/// The media id in a library URL such as `/w/3/media/17/file` (absolute or relative).
fn library_id(url: &str, workspace: WorkspaceId) -> Option<i64> {
    let prefix = format!("/w/{}/media/", workspace.0);
    let rest = &url[url.find(&prefix)? + prefix.len()..];
    rest.split('/').next()?.parse().ok()
}

async fn read(
    store: &Store,
    config: &PublisherConfig,
    workspace: WorkspaceId,
    id: i64,
    alt: &str,
) -> Result<Option<MediaFile>, StoreError> {
    let media = match store.media(workspace, id).await {
        Ok(m) => m,
        Err(StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e),
    };
    let path = config.media_dir.join(&media.storage_key).join("original");
    match tokio::fs::read(&path).await {
        Ok(bytes) => Ok(Some(MediaFile {
            file_name: media.original_name,
            content_type: media.mime,
            bytes,
            alt: alt.to_owned(),
        })),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(StoreError::Corrupt(format!(
            "media file {}: {e}",
            path.display()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn library_urls_name_their_media() {
        let ws = WorkspaceId(3);
        assert_eq!(library_id("/w/3/media/17/file", ws), Some(17));
        assert_eq!(
            library_id("https://fanloop.example/w/3/media/17/crop/1:1", ws),
            Some(17)
        );
        assert_eq!(library_id("/w/4/media/17/file", ws), None);
        assert_eq!(library_id("https://example.com/a.png", ws), None);
    }
}
