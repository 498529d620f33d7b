//! The fake's article endpoints: drafts, publishing jobs and their status and the list
//! of published articles — each checked the way WeChat documents it.

use super::*;

/// Every `<img src>` value of an article's HTML.
fn image_sources(html: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("<img") {
        let tag_end = rest[i..].find('>').map_or(rest.len(), |e| i + e);
        let tag = &rest[i..tag_end];
        if let Some(s) = tag.find("src=\"") {
            let value = &tag[s + 5..];
            out.push(&value[..value.find('"').unwrap_or(value.len())]);
        }
        rest = &rest[tag_end..];
    }
    out
}

fn check_article(w: &World, a: &Value) -> Result<FakeArticle, Refusal> {
    let text = |k: &str| {
        a.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let article = FakeArticle {
        title: text("title"),
        digest: text("digest"),
        content: text("content"),
        thumb_media_id: text("thumb_media_id"),
    };
    if article.title.is_empty() || article.title.chars().count() > 64 {
        return Err(Refusal::Errcode(45003, "title size out of limit"));
    }
    if article.content.chars().count() >= 20_000 {
        return Err(Refusal::Errcode(45002, "content size out of limit"));
    }
    if !w.materials.contains(&article.thumb_media_id) {
        return Err(Refusal::Errcode(40007, "invalid media_id"));
    }
    if image_sources(&article.content)
        .iter()
        .any(|src| !w.image_urls.contains(*src))
    {
        return Err(Refusal::Errcode(45166, "invalid content"));
    }
    Ok(article)
}

pub(super) async fn draft_add(
    State(app): State<App>,
    Query(params): Params,
    body: Bytes,
) -> Response {
    let (fault, v) = match admit_json(&app, "draft/add", &params, &body).await {
        Ok(admitted) => admitted,
        Err(r) => return r.into_response(),
    };
    let media_id = {
        let mut w = lock(&app);
        let Some(items) = v["articles"].as_array().filter(|a| !a.is_empty()) else {
            return error(47001, "data format error");
        };
        let mut articles = Vec::new();
        for a in items {
            match check_article(&w, a) {
                Ok(article) => articles.push(article),
                Err(r) => return r.into_response(),
            }
        }
        let media_id = format!("DRAFT_{}", w.next_id());
        w.drafts.insert(media_id.clone(), articles);
        media_id
    };
    finish(fault, json!({ "media_id": media_id })).await
}

pub(super) async fn submit(State(app): State<App>, Query(params): Params, body: Bytes) -> Response {
    let (fault, v) = match admit_json(&app, "freepublish/submit", &params, &body).await {
        Ok(admitted) => admitted,
        Err(r) => return r.into_response(),
    };
    let (publish_id, msg_data_id) = {
        let mut w = lock(&app);
        let Some(articles) = v["media_id"].as_str().and_then(|id| w.drafts.remove(id)) else {
            return error(40007, "invalid media_id");
        };
        let publish_id = 2_247_500_000 + w.next_id();
        let outcome = w.publish_outcome;
        w.jobs.push(Job {
            publish_id,
            article_id: format!("ARTICLE_{publish_id}"),
            articles,
            submitted: Instant::now(),
            outcome,
        });
        (publish_id, 2_455_000_000 + w.next_id())
    };
    // publish_id as a number, as the newer documentation types it.
    let body = json!({ "errcode": 0, "errmsg": "ok", "publish_id": publish_id, "msg_data_id": msg_data_id });
    finish(fault, body).await
}

pub(super) async fn get_job(
    State(app): State<App>,
    Query(params): Params,
    body: Bytes,
) -> Response {
    let (fault, v) = match admit_json(&app, "freepublish/get", &params, &body).await {
        Ok(admitted) => admitted,
        Err(r) => return r.into_response(),
    };
    let answer = {
        let w = lock(&app);
        let wanted = id_param(v.get("publish_id"));
        let Some(job) = w
            .jobs
            .iter()
            .find(|j| Some(j.publish_id.to_string()) == wanted)
        else {
            return error(40007, "invalid publish_id");
        };
        let status = w.job_status(job);
        let mut answer =
            json!({ "publish_id": job.publish_id.to_string(), "publish_status": status });
        if status == 0 {
            let items: Vec<Value> = (1..=job.articles.len())
                .map(|idx| json!({ "idx": idx, "article_url": article_url(job, idx) }))
                .collect();
            answer["article_id"] = json!(job.article_id);
            answer["article_detail"] = json!({ "count": items.len(), "item": items });
        } else if status >= 2 {
            answer["fail_idx"] = json!([1]);
        }
        answer
    };
    finish(fault, answer).await
}

fn article_url(job: &Job, idx: usize) -> String {
    format!("https://mp.weixin.qq.com/s/{}_{idx}", job.article_id)
}

pub(super) async fn batchget(
    State(app): State<App>,
    Query(params): Params,
    body: Bytes,
) -> Response {
    let (fault, v) = match admit_json(&app, "freepublish/batchget", &params, &body).await {
        Ok(admitted) => admitted,
        Err(r) => return r.into_response(),
    };
    let offset = v["offset"].as_u64().unwrap_or(0) as usize;
    let count = v["count"].as_u64().unwrap_or(0) as usize;
    if !(1..=20).contains(&count) {
        return error(40097, "invalid args");
    }
    let no_content = v["no_content"].as_i64() == Some(1);
    let answer = {
        let w = lock(&app);
        let done: Vec<&Job> = w
            .jobs
            .iter()
            .rev()
            .filter(|j| w.job_status(j) == 0)
            .collect();
        let items: Vec<Value> = done
            .iter()
            .skip(offset)
            .take(count)
            .map(|job| {
                let news: Vec<Value> = job
                    .articles
                    .iter()
                    .enumerate()
                    .map(|(i, a)| {
                        let mut item = json!({
                            "title": a.title, "digest": a.digest, "thumb_media_id": a.thumb_media_id,
                            "url": article_url(job, i + 1), "is_deleted": false,
                        });
                        if !no_content {
                            item["content"] = json!(a.content);
                        }
                        item
                    })
                    .collect();
                json!({ "article_id": job.article_id, "content": { "news_item": news }, "update_time": 0 })
            })
            .collect();
        json!({ "total_count": done.len(), "item_count": items.len(), "item": items })
    };
    finish(fault, answer).await
}
