//! Walks every route of the table with every role (and with no one, and with an
//! outsider), and checks the answer matches the permission matrix. A route whose gate
//! were missing or weaker than declared would answer 2xx where 403 or 404 is due.

use crate::helpers::TestApp;
use fanloop_domain::Role;
use fanloop_web::Access;

/// A path with its parameters filled in: the workspace's own id, well-formed values for
/// the named non-id parameters, and a made-up id for every sub-resource, so each request
/// reaches its handler (a literal `{post_id}` would stop at the path parser instead).
fn concrete(path: &str, workspace: i64) -> String {
    let named = path
        .replace("{id}", &workspace.to_string())
        .replace("{area}", "topics")
        .replace("{token}", "not-a-real-token")
        .replace("{file}", "app.css")
        .replace("{ratio}", "1:1")
        .replace("{version}", "1");
    let mut out = String::with_capacity(named.len());
    let mut rest = named.as_str();
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').map_or(rest.len(), |c| open + c + 1);
        out.push_str(&rest[..open]);
        out.push_str("999999");
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

#[test]
fn every_parameter_is_filled_in() {
    for spec in fanloop_web::table() {
        let path = concrete(spec.path, 7);
        assert!(!path.contains('{'), "{} left {path}", spec.path);
    }
    assert_eq!(
        concrete("/w/{id}/posts/{post_id}/variants/{variant_id}", 7),
        "/w/7/posts/999999/variants/999999"
    );
}

#[tokio::test]
async fn every_route_checks_every_role() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let ws = app.workspace(&owner, "RBAC").await;
    let outsider = app.user("outsider@example.com").await;
    let wechat = crate::hooks::wechat_channel(&app, &ws, &owner, None).await;
    let (outsider_cookie, outsider_csrf) = app.session(&outsider).await;
    let outsider_token = app.token(&outsider).await;

    let mut members = Vec::new();
    for role in Role::ALL {
        let (user, token) = app.member(&ws, &owner, role).await;
        let (cookie, csrf) = app.session(&user).await;
        members.push((role, token, cookie, csrf));
    }

    let table = fanloop_web::table();
    assert!(table.len() > 30, "the route table looks truncated");
    let mut checked = 0;
    for spec in &table {
        // Callbacks get a real WeChat channel, so only the missing signature refuses them.
        let path = if spec.access == Access::Callback {
            spec.path.replace("{channel_id}", &wechat.id.to_string())
        } else {
            concrete(spec.path, ws.id)
        };
        let url = format!("{}{path}", app.url);
        let send = |token: Option<&str>, cookie: Option<(&str, &str)>| {
            let mut request = app.http.request(spec.method.clone(), &url);
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            if let Some((cookie, csrf)) = cookie {
                request = request
                    .header("cookie", cookie)
                    .header("x-csrf-token", csrf);
            }
            if spec.is_api() && spec.method != reqwest::Method::GET {
                request = request
                    .header("content-type", "application/json")
                    .body("{}");
            } else if spec.method != reqwest::Method::GET {
                request = request
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body("");
            }
            request.send()
        };
        // As whoever the route serves, API routes by token and pages by session.
        let as_member = |token: &str, cookie: &str, csrf: &str| {
            if spec.is_api() {
                send(Some(token), None)
            } else {
                send(None, Some((cookie, csrf)))
            }
        };
        let status = |r: reqwest::Response| r.status().as_u16();

        match spec.access {
            Access::Public => {
                let s = status(send(None, None).await.unwrap());
                assert!(
                    s != 401 && s != 500,
                    "{} {} answered {s} to an anonymous visitor",
                    spec.method,
                    spec.path
                );
            }
            Access::Callback => {
                // A platform callback authenticates by signature only: unsigned, it is
                // refused as unauthenticated, never served.
                let s = status(send(None, None).await.unwrap());
                assert_eq!(s, 401, "{} {} without a signature", spec.method, spec.path);
            }
            Access::Signed | Access::Workspace(_) => {
                let anonymous = status(send(None, None).await.unwrap());
                let want = if spec.is_api() { 401 } else { 303 };
                assert_eq!(
                    anonymous, want,
                    "{} {} without credentials",
                    spec.method, spec.path
                );
                let forged = status(send(Some("flp_forged"), None).await.unwrap());
                assert!(
                    forged == 401 || forged == 303,
                    "{} {} with a forged token answered {forged}",
                    spec.method,
                    spec.path
                );
            }
        }
        match spec.access {
            Access::Public => {}
            Access::Callback => {
                // Nor does a member's session or token stand in for the signature.
                let (_, token, cookie, csrf) = &members[0];
                for s in [
                    status(send(Some(token), None).await.unwrap()),
                    status(send(None, Some((cookie, csrf))).await.unwrap()),
                ] {
                    assert_eq!(
                        s, 401,
                        "{} {} took a member's credentials",
                        spec.method, spec.path
                    );
                }
            }
            Access::Signed => {
                // A session of its own: one of these routes is sign-out.
                let (cookie, csrf) = app.session(&outsider).await;
                let s = status(as_member(&outsider_token, &cookie, &csrf).await.unwrap());
                assert!(
                    ![401, 403, 500].contains(&s),
                    "{} {} refused a signed-in user with {s}",
                    spec.method,
                    spec.path
                );
            }
            Access::Workspace(permission) => {
                let r = as_member(&outsider_token, &outsider_cookie, &outsider_csrf)
                    .await
                    .unwrap();
                let location = r
                    .headers()
                    .get("location")
                    .map(|v| v.to_str().unwrap_or("").to_owned());
                assert_eq!(
                    status(r),
                    404,
                    "{} {} must hide the workspace from non-members ({location:?})",
                    spec.method,
                    spec.path
                );
                for (role, token, cookie, csrf) in &members {
                    let s = status(as_member(token, cookie, csrf).await.unwrap());
                    // Routes naming a sub-resource get a made-up id, so "not found" is the
                    // right answer for a permitted role; the outsider check above already
                    // showed the gate's own 404.
                    let sub_resource =
                        spec.path.matches('{').count() > 1 && !spec.path.ends_with("{area}");
                    if role.allows(permission) {
                        let refused = [401, 403, 500].contains(&s) || (s == 404 && !sub_resource);
                        assert!(
                            !refused,
                            "{} {} refused {role:?} with {s}",
                            spec.method, spec.path
                        );
                    } else {
                        assert_eq!(
                            s, 403,
                            "{} {} let {role:?} through ({s}) without {permission:?}",
                            spec.method, spec.path
                        );
                    }
                }
            }
        }
        checked += 1;
    }
    assert_eq!(checked, table.len());
}

#[tokio::test]
async fn session_requests_need_the_csrf_token() {
    let app = TestApp::spawn().await;
    let owner = app.user("owner@example.com").await;
    let (cookie, csrf) = app.session(&owner).await;
    let post = |token: &str| {
        app.http
            .post(format!("{}/workspaces/new", app.url))
            .header("cookie", &cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!(
                "name=Forged&timezone=Asia%2FShanghai&locale=zh-CN&_csrf={token}"
            ))
            .send()
    };
    assert_eq!(post("forged").await.unwrap().status().as_u16(), 403);
    assert_eq!(post("").await.unwrap().status().as_u16(), 403);
    assert!(
        app.store.workspaces_of(owner.id).await.unwrap().is_empty(),
        "a forged form changed nothing"
    );
    assert_eq!(post(&csrf).await.unwrap().status().as_u16(), 303);
    assert_eq!(app.store.workspaces_of(owner.id).await.unwrap().len(), 1);

    // The JSON API used with a session cookie needs the header too.
    let api = app
        .http
        .post(format!("{}/api/v1/workspaces", app.url))
        .header("cookie", &cookie)
        .json(&serde_json::json!({"name": "x"}));
    assert_eq!(api.send().await.unwrap().status().as_u16(), 403);
}
