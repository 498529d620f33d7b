//! The OpenAPI 3.1 description of `/api/v1`, served at `/api/v1/openapi.json`.
//!
//! Written by hand (no derive framework to compile) but not left to drift: the channel
//! settings schemas come from the domain's per-platform spec, and a test checks that
//! every API route in the route table is described here.

use axum::Json;
use fanloop_domain::{Platform, Role, notify};
use serde_json::{Value, json};
use std::sync::LazyLock;

static DOCUMENT: LazyLock<Value> = LazyLock::new(build);

pub async fn document() -> Json<Value> {
    Json(DOCUMENT.clone())
}

pub fn build() -> Value {
    let problem = json!({"description": "Problem details (RFC 9457)", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}});
    let ok = |schema: Value| json!({"description": "OK", "content": {"application/json": {"schema": schema}}});
    let created = |schema: Value| json!({"description": "Created", "content": {"application/json": {"schema": schema}}});
    let body = |schema: Value| json!({"required": true, "content": {"application/json": {"schema": schema}}});
    let id_param = json!([{"name": "id", "in": "path", "required": true, "schema": {"type": "integer", "format": "int64"}}]);
    let sub_param = |name: &str| {
        json!([
            {"name": "id", "in": "path", "required": true, "schema": {"type": "integer", "format": "int64"}},
            {"name": name, "in": "path", "required": true, "schema": {"type": "integer", "format": "int64"}}
        ])
    };
    let errors = |codes: &[&str]| -> Value {
        codes
            .iter()
            .map(|c| (c.to_string(), problem.clone()))
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    let with = |mut base: Value, extra: Value| {
        if let (Some(b), Some(e)) = (base.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        base
    };
    let r = |name: &str| json!({"$ref": format!("#/components/schemas/{name}")});
    let list = |name: &str| json!({"type": "array", "items": {"$ref": format!("#/components/schemas/{name}")}});
    let write_errors = ["400", "401", "403", "404", "409", "413", "415", "422"];
    let with_query = |path: &Value, query: &[(&str, &str)]| {
        let mut all = path.as_array().cloned().unwrap_or_default();
        all.extend(query.iter().map(|(name, description)| {
            json!({"name": name, "in": "query", "required": false, "description": description, "schema": {"type": "string"}})
        }));
        Value::Array(all)
    };

    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Fanloop API",
            "version": "1",
            "description": "Self-hosted new-media operations. Authenticate with `Authorization: Bearer <token>` (create one with `fanloop token create` or on the account page). Times are RFC 3339 UTC. Errors are application/problem+json; 422 lists each refused field in `errors`. Messages follow Accept-Language (zh-CN or en)."
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": {
            "/api/v1/me": {"get": {"summary": "The authenticated account", "responses": with(json!({"200": ok(r("Me"))}), errors(&["401"]))}},
            "/api/v1/workspaces": {
                "get": {"summary": "Workspaces you belong to", "responses": with(json!({"200": ok(list("Workspace"))}), errors(&["401"]))},
                "post": {"summary": "Create a workspace (you become its owner)", "requestBody": body(r("NewWorkspace")), "responses": with(json!({"201": created(r("Workspace"))}), errors(&write_errors))}
            },
            "/api/v1/workspaces/{id}": {
                "get": {"summary": "One workspace", "parameters": id_param, "responses": with(json!({"200": ok(r("Workspace"))}), errors(&["401", "404"]))}
            },
            "/api/v1/workspaces/{id}/channels": {
                "get": {"summary": "The workspace's channels (secrets never returned)", "parameters": id_param, "responses": with(json!({"200": ok(list("Channel"))}), errors(&["401", "404"]))},
                "post": {"summary": "Add a channel; secret settings are encrypted at rest", "parameters": id_param, "requestBody": body(r("NewChannel")), "responses": with(json!({"201": created(r("Channel"))}), errors(&write_errors))}
            },
            "/api/v1/workspaces/{id}/members": {
                "get": {"summary": "The team", "parameters": id_param, "responses": with(json!({"200": ok(list("Member"))}), errors(&["401", "404"]))},
                "post": {"summary": "Add a member: an existing account joins at once, anyone else is invited", "parameters": id_param, "requestBody": body(r("NewMember")), "responses": with(json!({"201": created(r("AddedMember"))}), errors(&write_errors))}
            },
            "/api/v1/workspaces/{id}/channels/{channel_id}": {
                "put": {"summary": "Replace a channel's name and settings (reconnect with new credentials; secrets must be given again). Held publications are queued again.", "parameters": sub_param("channel_id"), "requestBody": body(json!({"type": "object", "additionalProperties": false, "required": ["name"], "properties": {"name": {"type": "string"}, "settings": {"type": "object", "description": "As for creating a channel of this platform"}}})), "responses": with(json!({"200": ok(r("Channel"))}), errors(&write_errors))},
                "delete": {"summary": "Remove a channel and its stored credentials", "parameters": sub_param("channel_id"), "responses": with(json!({"204": {"description": "Removed"}}), errors(&["401", "403", "404"]))}
            },
            "/api/v1/workspaces/{id}/members/{user_id}": {
                "patch": {"summary": "Change a member's role (the last owner cannot be demoted)", "parameters": sub_param("user_id"), "requestBody": body(json!({"type": "object", "additionalProperties": false, "required": ["role"], "properties": {"role": r("Role")}})), "responses": with(json!({"200": ok(r("Member"))}), errors(&["400", "401", "403", "404", "409", "422"]))},
                "delete": {"summary": "Remove a member (the last owner cannot leave)", "parameters": sub_param("user_id"), "responses": with(json!({"204": {"description": "Removed"}}), errors(&["401", "403", "404", "409"]))}
            },
            // The media library.
            "/api/v1/workspaces/{id}/media": {
                "get": {"summary": "The media library, newest first; `tag` keeps only items carrying it", "parameters": [
                    {"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}},
                    {"name": "tag", "in": "query", "required": false, "schema": {"type": "string"}}
                ], "responses": with(json!({"200": ok(json!({"type": "array", "items": json!({"type": "object", "properties": {"id": {"type": "integer"}, "kind": {"enum": ["image", "video"]}, "mime": {"type": "string"}, "bytes": {"type": "integer"}, "width": {"type": ["integer", "null"]}, "height": {"type": ["integer", "null"]}, "duration_ms": {"type": ["integer", "null"], "description": "how long a video plays (from its mvhd box)"}, "original_name": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}}, "focal_x": {"type": "number"}, "focal_y": {"type": "number"}, "created_by": {"type": "integer"}, "created_at": {"type": "string", "format": "date-time"}, "file_url": {"type": "string"}, "thumb_url": {"type": ["string", "null"]}, "crop_urls": {"type": "object", "description": "ratio label (2.35:1, 1:1, 3:4, 9:16, 16:9) to the crop's URL", "additionalProperties": {"type": "string"}}}})}))}), errors(&["401", "404"]))},
                "post": {"summary": "Upload an image (JPEG, PNG, WebP, GIF; at most 20 MB and 40 megapixels) or a video (MP4, MOV; at most 200 MB). The type is read from the file's bytes; images get a thumbnail and per-platform crops", "parameters": id_param, "requestBody": {"required": true, "content": {"multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
                    "file": {"type": "string", "format": "binary"}, "tags": {"type": "string", "description": "comma-separated"}}}}}}, "responses": with(json!({"201": created(json!({"type": "object", "properties": {"id": {"type": "integer"}, "kind": {"enum": ["image", "video"]}, "mime": {"type": "string"}, "bytes": {"type": "integer"}, "width": {"type": ["integer", "null"]}, "height": {"type": ["integer", "null"]}, "duration_ms": {"type": ["integer", "null"], "description": "how long a video plays (from its mvhd box)"}, "original_name": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}}, "focal_x": {"type": "number"}, "focal_y": {"type": "number"}, "created_by": {"type": "integer"}, "created_at": {"type": "string", "format": "date-time"}, "file_url": {"type": "string"}, "thumb_url": {"type": ["string", "null"]}, "crop_urls": {"type": "object", "description": "ratio label (2.35:1, 1:1, 3:4, 9:16, 16:9) to the crop's URL", "additionalProperties": {"type": "string"}}}}))}), errors(&["400", "401", "403", "404", "413", "415", "422"]))}
            },
            "/api/v1/workspaces/{id}/media/{media_id}": {
                "get": {"summary": "One item of the library", "parameters": sub_param("media_id"), "responses": with(json!({"200": ok(json!({"type": "object", "properties": {"id": {"type": "integer"}, "kind": {"enum": ["image", "video"]}, "mime": {"type": "string"}, "bytes": {"type": "integer"}, "width": {"type": ["integer", "null"]}, "height": {"type": ["integer", "null"]}, "duration_ms": {"type": ["integer", "null"], "description": "how long a video plays (from its mvhd box)"}, "original_name": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}}, "focal_x": {"type": "number"}, "focal_y": {"type": "number"}, "created_by": {"type": "integer"}, "created_at": {"type": "string", "format": "date-time"}, "file_url": {"type": "string"}, "thumb_url": {"type": ["string", "null"]}, "crop_urls": {"type": "object", "description": "ratio label (2.35:1, 1:1, 3:4, 9:16, 16:9) to the crop's URL", "additionalProperties": {"type": "string"}}}}))}), errors(&["401", "404"]))},
                "patch": {"summary": "Change tags and/or the focal point crops centre on (fractions 0..1 of width and height)", "parameters": sub_param("media_id"), "requestBody": body(json!({"type": "object", "additionalProperties": false, "properties": {
                    "tags": {"type": "array", "items": {"type": "string", "maxLength": 30}, "maxItems": 30}, "focal_x": {"type": "number", "minimum": 0, "maximum": 1}, "focal_y": {"type": "number", "minimum": 0, "maximum": 1}}})), "responses": with(json!({"200": ok(json!({"type": "object", "properties": {"id": {"type": "integer"}, "kind": {"enum": ["image", "video"]}, "mime": {"type": "string"}, "bytes": {"type": "integer"}, "width": {"type": ["integer", "null"]}, "height": {"type": ["integer", "null"]}, "duration_ms": {"type": ["integer", "null"], "description": "how long a video plays (from its mvhd box)"}, "original_name": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}}, "focal_x": {"type": "number"}, "focal_y": {"type": "number"}, "created_by": {"type": "integer"}, "created_at": {"type": "string", "format": "date-time"}, "file_url": {"type": "string"}, "thumb_url": {"type": ["string", "null"]}, "crop_urls": {"type": "object", "description": "ratio label (2.35:1, 1:1, 3:4, 9:16, 16:9) to the crop's URL", "additionalProperties": {"type": "string"}}}}))}), errors(&["400", "401", "403", "404", "415", "422"]))},
                "delete": {"summary": "Remove an item and its files (posts using it as a cover lose the cover)", "parameters": sub_param("media_id"), "responses": with(json!({"204": {"description": "Removed"}}), errors(&["401", "403", "404"]))}
            },
            // Versions, comments and variants of posts.
            "/api/v1/workspaces/{id}/posts/{post_id}/versions": {
                "get": {"summary": "The post's versions, newest first (summary names the variant when only a variant changed)", "parameters": sub_param("post_id"), "responses": with(json!({"200": ok(json!({"type": "array", "items": {"type": "object", "properties": {
                    "version": {"type": "integer"}, "title": {"type": "string"}, "author_id": {"type": "integer"}, "author_name": {"type": "string"}, "at": {"type": "string", "format": "date-time"}, "summary": {"type": "string"}}}}))}), errors(&["401", "404"]))}
            },
            "/api/v1/workspaces/{id}/posts/{post_id}/versions/{version}/diff": {
                "get": {"summary": "Line diff of a version's body against the previous version (hunks with three lines of context)", "parameters": [
                    {"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}},
                    {"name": "post_id", "in": "path", "required": true, "schema": {"type": "integer"}},
                    {"name": "version", "in": "path", "required": true, "schema": {"type": "integer"}}
                ], "responses": with(json!({"200": ok(json!({"type": "object", "properties": {
                    "version": {"type": "integer"}, "previous": {"type": ["integer", "null"]}, "title_before": {"type": ["string", "null"], "description": "set when the title changed"},
                    "title_after": {"type": "string"}, "summary": {"type": "string"},
                    "hunks": {"type": "array", "items": {"type": "array", "items": {"type": "object", "properties": {"op": {"enum": ["equal", "insert", "delete"]}, "text": {"type": "string"}}}}}}}))}), errors(&["400", "401", "404"]))}
            },
            "/api/v1/workspaces/{id}/posts/{post_id}/comments": {
                "get": {"summary": "The team's comments on the post, oldest first", "parameters": sub_param("post_id"), "responses": with(json!({"200": ok(list("Comment"))}), errors(&["401", "404"]))},
                "post": {"summary": "Comment; @name mentions a member by display name or email prefix (members with write, approve or inbox rights)", "parameters": sub_param("post_id"), "requestBody": body(json!({"type": "object", "additionalProperties": false, "required": ["body"], "properties": {"body": {"type": "string", "minLength": 1, "maxLength": 4000}}})), "responses": with(json!({"201": created(r("Comment"))}), errors(&write_errors))}
            },
            "/api/v1/workspaces/{id}/posts/{post_id}/variants/{variant_id}": {
                "put": {"summary": "Edit one variant on its own (master edits stop flowing into it); an edit of the post, so an approved post goes back to review", "parameters": [
                    {"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}},
                    {"name": "post_id", "in": "path", "required": true, "schema": {"type": "integer"}},
                    {"name": "variant_id", "in": "path", "required": true, "schema": {"type": "integer"}}
                ], "requestBody": body(json!({"type": "object", "additionalProperties": false, "required": ["title", "body"], "properties": {
                    "title": {"type": "string"}, "body": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}}, "cover_media_id": {"type": ["integer", "null"]}}})),
                    "responses": with(json!({"200": ok(r("Post"))}), errors(&write_errors))}
            },
            "/api/v1/workspaces/{id}/posts/{post_id}/variants/{variant_id}/reset": {
                "post": {"summary": "Make the variant a copy of the master again, following its edits", "parameters": [
                    {"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}},
                    {"name": "post_id", "in": "path", "required": true, "schema": {"type": "integer"}},
                    {"name": "variant_id", "in": "path", "required": true, "schema": {"type": "integer"}}
                ], "responses": with(json!({"200": ok(r("Post"))}), errors(&["401", "403", "404", "409"]))}
            },
            // Short-video scripts and word lists.
            "/api/v1/workspaces/{id}/scripts": {
                "get": {"summary": "Short-video scripts, most recently changed first, with running time and the 3-second hook verdict", "parameters": id_param, "responses": with(json!({"200": ok(json!({"type": "array", "items": super::scripts::schema()}))}), errors(&["401", "404"]))},
                "post": {"summary": "Write a script (shot sizes: extreme_long, long, medium, close_up, extreme_close_up; durations 0.5–600 s)", "parameters": id_param, "requestBody": body(super::scripts::body_schema()), "responses": with(json!({"201": created(super::scripts::schema())}), errors(&write_errors))}
            },
            "/api/v1/workspaces/{id}/scripts/{script_id}": {
                "get": {"summary": "One script with the workspace linter's findings per field", "parameters": sub_param("script_id"), "responses": with(json!({"200": ok(super::scripts::schema())}), errors(&["401", "404"]))},
                "put": {"summary": "Replace a script's title, linked post and shot list", "parameters": sub_param("script_id"), "requestBody": body(super::scripts::body_schema()), "responses": with(json!({"200": ok(super::scripts::schema())}), errors(&write_errors))}
            },
            "/api/v1/workspaces/{id}/word-lists": {
                "get": {"summary": "The workspace's banned words, preferred replacements and industry packs", "parameters": id_param, "responses": with(json!({"200": ok(super::words::schema())}), errors(&["401", "404"]))},
                "put": {"summary": "Replace the word lists; a 422 names the list and line that could not be read", "parameters": id_param, "requestBody": body(super::words::body_schema()), "responses": with(json!({"200": ok(super::words::schema())}), errors(&write_errors))}
            },
            "/api/v1/workspaces/{id}/topics": {
                "get": {"summary": "The topic library, highest priority first", "parameters": id_param, "responses": with(json!({"200": ok(list("Topic"))}), errors(&["401", "404"]))},
                "post": {"summary": "Add a topic", "parameters": id_param, "requestBody": body(r("NewTopic")), "responses": with(json!({"201": created(r("Topic"))}), errors(&write_errors))}
            },
            "/api/v1/workspaces/{id}/topic-weights": {
                "get": {"summary": "How much timeliness, value and conversion count toward priority", "parameters": id_param, "responses": with(json!({"200": ok(r("TopicWeights"))}), errors(&["401", "404"]))},
                "put": {"summary": "Set the weights (each 0–10, not all zero)", "parameters": id_param, "requestBody": body(r("TopicWeights")), "responses": with(json!({"200": ok(r("TopicWeights"))}), errors(&write_errors))}
            },
            "/api/v1/workspaces/{id}/theme": {
                "get": {"summary": "The workspace's WeChat theme", "parameters": id_param, "responses": with(json!({"200": ok(r("Theme"))}), errors(&["401", "404"]))},
                "put": {"summary": "Set the theme; custom CSS is checked (unknown selectors or properties WeChat strips are refused, naming the line)", "parameters": id_param, "requestBody": body(r("Theme")), "responses": with(json!({"200": ok(r("Theme"))}), errors(&write_errors))}
            },
            "/api/v1/workspaces/{id}/calendar-events": {
                "get": {"summary": "The workspace's own dates in the hot-spot calendar", "parameters": id_param, "responses": with(json!({"200": ok(json!({"type": "array", "items": r("CalendarEvent")}))}), errors(&["401", "404"]))},
                "post": {"summary": "Add a date (a launch, an anniversary); yearly ones repeat", "parameters": id_param, "requestBody": body(json!({"type": "object", "additionalProperties": false, "required": ["date", "name"], "properties": {
                    "date": {"type": "string", "format": "date"}, "name": {"type": "string", "maxLength": 40}, "lead_days": {"type": "integer", "minimum": 0, "maximum": 365, "default": 7}, "yearly": {"type": "boolean", "default": false}}})),
                    "responses": with(json!({"201": created(r("CalendarEvent"))}), errors(&write_errors))}
            },
            "/api/v1/workspaces/{id}/calendar-events/{event_id}": {
                "delete": {"summary": "Remove a date", "parameters": sub_param("event_id"), "responses": with(json!({"204": {"description": "Removed"}}), errors(&["401", "403", "404"]))}
            },
            "/api/v1/workspaces/{id}/topics.csv": {
                "get": {"summary": "The topic library as CSV (UTF-8 with BOM)", "parameters": id_param, "responses": with(json!({"200": {"description": "CSV", "content": {"text/csv": {}}}}), errors(&["401", "404"]))}
            },
            "/api/v1/workspaces/{id}/topics/import": {
                "post": {"summary": "Import topics from CSV (header row with at least title); all rows or none", "parameters": id_param, "requestBody": {"required": true, "content": {"text/csv": {}}}, "responses": with(json!({"201": ok(json!({"type": "object", "properties": {"imported": {"type": "integer"}}}))}), errors(&["400", "401", "403", "404", "413", "422"]))}
            },
            "/api/v1/workspaces/{id}/topics/{topic_id}/status": {
                "post": {"summary": "Move a topic (idea, planned, in_production, published, archived)", "parameters": sub_param("topic_id"), "requestBody": body(json!({"type": "object", "additionalProperties": false, "required": ["status"], "properties": {"status": {"enum": ["idea", "planned", "in_production", "published", "archived"]}}})), "responses": with(json!({"204": {"description": "Moved"}}), errors(&write_errors))}
            },
            "/api/v1/workspaces/{id}/approval-rules": {
                "get": {"summary": "The workspace's approval rules", "parameters": id_param, "responses": with(json!({"200": ok(r("ApprovalRules"))}), errors(&["401", "404"]))},
                "put": {"summary": "Replace the approval rules", "parameters": id_param, "requestBody": body(r("ApprovalRules")), "responses": with(json!({"200": ok(r("ApprovalRules"))}), errors(&write_errors))}
            },
            "/api/v1/workspaces/{id}/posts": {
                "get": {"summary": "The workspace's posts, most recently changed first", "parameters": id_param, "responses": with(json!({"200": ok(list("Post"))}), errors(&["401", "404"]))},
                "post": {"summary": "Write a post once for several channels (a variant per channel)", "parameters": id_param, "requestBody": body(r("NewPost")), "responses": with(json!({"201": created(r("Post"))}), errors(&write_errors))}
            },
            "/api/v1/workspaces/{id}/posts/{post_id}": {
                "get": {"summary": "One post with its variants and review history", "parameters": sub_param("post_id"), "responses": with(json!({"200": ok(r("Post"))}), errors(&["401", "404"]))},
                "put": {"summary": "Edit the master; an approved post goes back to review", "parameters": sub_param("post_id"), "requestBody": body(r("EditPost")), "responses": with(json!({"200": ok(r("Post"))}), errors(&write_errors))}
            },
            "/api/v1/workspaces/{id}/posts/{post_id}/schedule": {
                "post": {"summary": "Schedule an approved post: at a time, in each channel's next free queue slot, or now", "parameters": sub_param("post_id"), "requestBody": body(r("Schedule")), "responses": with(json!({"201": created(json!({"type": "object", "properties": {"publications": list("Publication")}}))}), errors(&write_errors))}
            },
            "/api/v1/workspaces/{id}/posts/{post_id}/unschedule": {
                "post": {"summary": "Cancel the post's publications not yet handed to a platform", "parameters": sub_param("post_id"), "responses": with(json!({"200": ok(json!({"type": "object", "properties": {"cancelled": {"type": "integer"}}}))}), errors(&["401", "403", "404"]))}
            },
            "/api/v1/workspaces/{id}/publications": {
                "get": {"summary": "Publications (a variant on a channel at a time) with status, times, remote id and URL, attempts and last error", "parameters": with_query(&id_param, &[("status", "Comma-separated: scheduled, publishing, pending, published, failed, unconfirmed, held, assisted, cancelled, missed"), ("channel_id", "Only this channel"), ("post_id", "Only this post"), ("from", "Scheduled at or after (RFC 3339)"), ("to", "Scheduled before (RFC 3339)"), ("limit", "At most this many (default 500)")]), "responses": with(json!({"200": ok(list("Publication"))}), errors(&["401", "404", "422"]))}
            },
            "/api/v1/workspaces/{id}/publications/{publication_id}/confirm": {
                "post": {"summary": "Confirm an assisted or unconfirmed publication went out, with its link", "parameters": sub_param("publication_id"), "requestBody": body(json!({"type": "object", "additionalProperties": false, "required": ["url"], "properties": {"url": {"type": "string", "format": "uri"}}})), "responses": with(json!({"200": ok(r("Publication"))}), errors(&write_errors))}
            },
            "/api/v1/workspaces/{id}/publications/{publication_id}/retry": {
                "post": {"summary": "Queue a failed, missed or unconfirmed publication again, due now", "parameters": sub_param("publication_id"), "responses": with(json!({"200": ok(r("Publication"))}), errors(&["401", "403", "404", "409"]))}
            },
            "/api/v1/workspaces/{id}/channels/{channel_id}/health": {
                "get": {"summary": "Channel health: reconnect needed, token expiry, last success and error, held posts", "parameters": sub_param("channel_id"), "responses": with(json!({"200": ok(r("ChannelHealth"))}), errors(&["401", "404"]))}
            },
            "/api/v1/workspaces/{id}/channels/{channel_id}/reconnect": {
                "post": {"summary": "After fixing the channel's credentials: clear 'needs reconnect' and release held publications", "parameters": sub_param("channel_id"), "responses": with(json!({"200": ok(json!({"type": "object", "properties": {"released": {"type": "integer"}}}))}), errors(&["401", "403", "404"]))}
            },
            "/api/v1/workspaces/{id}/channels/{channel_id}/slots": {
                "get": {"summary": "The channel's weekly queue slots", "parameters": sub_param("channel_id"), "responses": with(json!({"200": ok(r("QueueSlots"))}), errors(&["401", "404"]))},
                "put": {"summary": "Replace the channel's weekly queue slots", "parameters": sub_param("channel_id"), "requestBody": body(r("QueueSlots")), "responses": with(json!({"200": ok(r("QueueSlots"))}), errors(&write_errors))}
            },
            "/api/v1/workspaces/{id}/channels/{channel_id}/golden-time": {
                "get": {"summary": "Best hours of the week for the channel, from its own engagement history (platform rhythm while history is thin), with an explanation", "parameters": sub_param("channel_id"), "responses": with(json!({"200": ok(r("GoldenTime"))}), errors(&["401", "404"]))}
            },
            "/api/v1/workspaces/{id}/publishing-settings": {
                "get": {"summary": "How late a post may still go out after downtime, and when unconfirmed assisted posts escalate", "parameters": id_param, "responses": with(json!({"200": ok(r("PublishingSettings"))}), errors(&["401", "404"]))},
                "put": {"summary": "Set the grace window for late publishing and the assisted-post escalation window", "parameters": id_param, "requestBody": body(r("PublishingSettings")), "responses": with(json!({"200": ok(r("PublishingSettings"))}), errors(&write_errors))}
            },
            "/api/v1/workspaces/{id}/notifications": {
                "get": {"summary": "The notifications addressed to the caller (failed, unconfirmed, missed publications, channels to reconnect, assisted posts ready or overdue), newest first, in the caller's language, with the caller's own read state. Each kind reaches the people who can act on it: the post's author and assignee and/or the workspace's owners and admins", "parameters": with_query(&id_param, &[("limit", "At most this many (default 100, at most 500)"), ("filter", "all (default) or unread")]), "responses": with(json!({"200": ok(r("NotificationList"))}), errors(&["401", "404", "422"]))}
            },
            "/api/v1/workspaces/{id}/notifications/read": {
                "post": {"summary": "Mark every notification addressed to the caller read, for the caller only", "parameters": id_param, "responses": with(json!({"200": ok(json!({"type": "object", "properties": {"marked": {"type": "integer"}}}))}), errors(&["401", "403", "404"]))}
            },
            "/api/v1/workspaces/{id}/notifications/{notification_id}/read": {
                "post": {"summary": "Mark one notification read for the caller only (404 unless it is addressed to them in this workspace)", "parameters": sub_param("notification_id"), "responses": with(json!({"204": {"description": "Read"}}), errors(&["401", "403", "404"]))}
            },
            "/api/v1/workspaces/{id}/notification-targets": {
                "get": {"summary": "Where notifications are also sent (group robots, webhooks); URLs and secrets are never returned", "parameters": id_param, "responses": with(json!({"200": ok(list("NotificationTarget"))}), errors(&["401", "403", "404"]))},
                "post": {"summary": "Add a delivery target", "parameters": id_param, "requestBody": body(r("NewNotificationTarget")), "responses": with(json!({"201": created(r("NotificationTarget"))}), errors(&write_errors))}
            },
            "/api/v1/workspaces/{id}/notification-targets/{target_id}": {
                "delete": {"summary": "Remove a delivery target (pending deliveries to it are dropped)", "parameters": sub_param("target_id"), "responses": with(json!({"204": {"description": "Removed"}}), errors(&["401", "403", "404"]))}
            },
            "/api/v1/workspaces/{id}/posts/{post_id}/lint": {
                "get": {"summary": "Compliance findings: the master first (platform null), then each variant against its platform's rules. Offsets count Unicode characters of \"# title\\nbody\".", "parameters": sub_param("post_id"), "responses": with(json!({"200": ok(json!({"type": "array", "items": {"type": "object", "properties": {
                    "variant_id": {"type": ["integer", "null"]}, "channel_id": {"type": ["integer", "null"]}, "platform": {"type": ["string", "null"]}, "errors": {"type": "integer"},
                    "findings": {"type": "array", "items": {"type": "object", "properties": {"rule": {"type": "string"}, "category": {"type": "string"}, "severity": {"enum": ["error", "warning", "info"]},
                        "start": {"type": "integer"}, "end": {"type": "integer"}, "line": {"type": "integer"}, "column": {"type": "integer"}, "text": {"type": "string"}, "message": {"type": "string"}, "suggestion": {"type": "string"}}}}
                }}}))}), errors(&["401", "404"]))}
            },
            "/api/v1/workspaces/{id}/posts/{post_id}/submit": {
                "post": {"summary": "Submit for review (straight to approved when no approvals are required). An owner may override lint errors with override_reason.", "parameters": sub_param("post_id"), "requestBody": {"required": false, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": false, "properties": {"override_reason": {"type": "string"}}}}}}, "responses": with(json!({"200": ok(r("Post"))}), errors(&write_errors))}
            },
            "/api/v1/workspaces/{id}/posts/{post_id}/approve": {
                "post": {"summary": "Approve the current version", "parameters": sub_param("post_id"), "responses": with(json!({"200": ok(r("Post"))}), errors(&["401", "403", "404", "409"]))}
            },
            "/api/v1/workspaces/{id}/posts/{post_id}/request-changes": {
                "post": {"summary": "Send back to the author with a comment", "parameters": sub_param("post_id"), "requestBody": body(json!({"type": "object", "additionalProperties": false, "required": ["comment"], "properties": {"comment": {"type": "string", "minLength": 1}}})), "responses": with(json!({"200": ok(r("Post"))}), errors(&write_errors))}
            },
            "/api/v1/openapi.json": {"get": {"summary": "This document", "security": [], "responses": {"200": {"description": "OK"}}}}
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas()
        }
    })
}

fn schemas() -> Value {
    let roles: Vec<&str> = Role::ALL.iter().map(|r| r.code()).collect();
    let platforms: Vec<&str> = Platform::ALL.iter().map(|p| p.code()).collect();
    let target_kinds: Vec<&str> = notify::TargetKind::ALL.iter().map(|k| k.code()).collect();
    let time = json!({"type": "string", "format": "date-time"});
    json!({
        "Schedule": {"type": "object", "additionalProperties": false, "description": "Exactly one of at, queue or now. Only approved posts can be scheduled.", "properties": {
            "at": {"type": "string", "format": "date-time", "description": "RFC 3339 with an offset"},
            "queue": {"type": "boolean", "description": "Each channel's next free weekly queue slot"},
            "now": {"type": "boolean"},
            "channel_ids": {"type": "array", "items": {"type": "integer"}, "description": "Default: every channel the post has a variant for"}
        }},
        "Publication": {"type": "object", "properties": {
            "id": {"type": "integer"}, "post_id": {"type": "integer"}, "post_title": {"type": "string"},
            "channel_id": {"type": "integer"}, "channel_name": {"type": "string"}, "platform": {"type": "string"},
            "status": {"enum": ["scheduled", "publishing", "pending", "published", "failed", "unconfirmed", "held", "assisted", "cancelled", "missed"]},
            "scheduled_at": {"type": "string", "format": "date-time"}, "published_at": {"type": ["string", "null"], "format": "date-time"},
            "first_attempt_at": {"type": ["string", "null"], "format": "date-time"}, "late": {"type": "boolean"},
            "attempts": {"type": "integer"}, "remote_id": {"type": ["string", "null"]}, "remote_url": {"type": ["string", "null"]},
            "reason": {"type": ["string", "null"], "description": "Machine-readable reason of the last failure"},
            "reason_text": {"type": ["string", "null"], "description": "The reason in the caller's language"},
            "last_error": {"type": ["string", "null"], "description": "The platform's own code and message"},
            "post_version": {"type": "integer"}
        }},
        "ChannelHealth": {"type": "object", "properties": {
            "channel_id": {"type": "integer"}, "status": {"enum": ["ok", "unused", "failing", "token_expiring", "needs_reconnect"]},
            "needs_reconnect": {"type": "boolean"}, "token_expires_at": {"type": ["string", "null"], "format": "date-time"}, "token_refreshed_at": {"type": ["string", "null"], "format": "date-time", "description": "When the engine last renewed the token ahead of its expiry"},
            "last_success_at": {"type": ["string", "null"], "format": "date-time"}, "last_error_at": {"type": ["string", "null"], "format": "date-time"},
            "last_error": {"type": ["string", "null"]}, "account_name": {"type": ["string", "null"]},
            "held": {"type": "integer"}, "scheduled": {"type": "integer"}
        }},
        "QueueSlots": {"type": "object", "additionalProperties": false, "required": ["slots"], "properties": {
            "slots": {"type": "array", "items": {"type": "string", "examples": ["tue 20:00", "周二 20:00"]}}
        }},
        "GoldenTime": {"type": "object", "properties": {
            "based_on": {"type": "integer"}, "from_history": {"type": "boolean"}, "explanation": {"type": "string"},
            "slots": {"type": "array", "items": {"type": "object", "properties": {"weekday": {"type": "integer", "description": "0 = Monday"}, "hour": {"type": "integer"}, "lift": {"type": "number"}}}}
        }},
        "PublishingSettings": {"type": "object", "additionalProperties": false, "required": ["grace_minutes"], "properties": {
            "grace_minutes": {"type": "integer", "minimum": 0, "maximum": 10080},
            "assisted_escalate_minutes": {"type": "integer", "minimum": 0, "maximum": 10080, "default": 120, "description": "Minutes an assisted package may wait for confirmation before one assisted_overdue notification is raised; 0 = never. Left out of a PUT, the saved value stays."}
        }},
        "NotificationList": {"type": "object", "properties": {
            "unread": {"type": "integer", "description": "The caller's unread notifications in the workspace"},
            "notifications": {"type": "array", "items": {"type": "object", "properties": {
                "id": {"type": "integer"}, "kind": {"enum": notify::EVENTS}, "kind_text": {"type": "string"},
                "publication_id": {"type": ["integer", "null"]}, "channel_id": {"type": ["integer", "null"]},
                "post_title": {"type": ["string", "null"]}, "channel_name": {"type": ["string", "null"]},
                "reason": {"type": ["string", "null"]}, "reason_text": {"type": ["string", "null"]},
                "created_at": time, "read": {"type": "boolean"}}}}
        }},
        "NewNotificationTarget": {"type": "object", "additionalProperties": false, "required": ["kind", "name"], "description": "Robots and webhooks take url (and secret); email takes the smtp_* and mail_* fields instead. Everything but kind, name and events is encrypted at rest and never returned.", "properties": {
            "kind": {"enum": target_kinds}, "name": {"type": "string", "minLength": 1, "maxLength": 80},
            "url": {"type": "string", "format": "uri", "writeOnly": true, "description": "Required except for email. https, or http to a loopback address; encrypted at rest, never returned"},
            "secret": {"type": "string", "writeOnly": true, "description": "Feishu/DingTalk signing secret; required (16+ characters) for webhook; not accepted for wecom, slack and email. Webhook requests carry x-fanloop-timestamp and x-fanloop-signature: sha256=hex(HMAC-SHA256(secret, timestamp + \".\" + body))"},
            "events": {"type": "string", "default": "*", "description": "* or a comma list of notification kinds"},
            "smtp_host": {"type": "string", "writeOnly": true, "description": "Email: the SMTP server's host name or IP address (required)"},
            "smtp_port": {"type": ["integer", "string"], "minimum": 1, "maximum": 65535, "writeOnly": true, "description": "Email: default 465 for tls, 587 for starttls, 25 for none"},
            "smtp_security": {"enum": ["tls", "starttls", "none"], "writeOnly": true, "description": "Email (required): tls is implicit TLS, starttls upgrades a plain connection and refuses a server without it, none is accepted only for a loopback host"},
            "smtp_username": {"type": "string", "writeOnly": true, "description": "Email: with smtp_password, or both omitted when the server needs no login"},
            "smtp_password": {"type": "string", "writeOnly": true, "description": "Email: encrypted at rest, never returned"},
            "mail_from": {"type": "string", "format": "email", "writeOnly": true, "description": "Email (required): the sender address"},
            "mail_to": {"oneOf": [{"type": "array", "items": {"type": "string", "format": "email"}}, {"type": "string"}], "writeOnly": true, "description": "Email (required): 1-20 recipients, as a list or one string separated by commas, semicolons or new lines"}
        }},
        "NotificationTarget": {"type": "object", "properties": {
            "id": {"type": "integer"}, "kind": {"enum": target_kinds}, "name": {"type": "string"}, "events": {"type": "string"}, "created_at": time
        }},
        "Problem": {"type": "object", "required": ["type", "title", "status", "detail"], "properties": {
            "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"}, "detail": {"type": "string"},
            "errors": {"type": "array", "items": {"type": "object", "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}}
        }},
        "Me": {"type": "object", "properties": {"id": {"type": "integer"}, "email": {"type": "string"}, "display_name": {"type": "string"}, "locale": {"enum": ["zh-CN", "en"]}}},
        "Role": {"enum": roles},
        "Platform": {"enum": platforms},
        "NewWorkspace": {"type": "object", "additionalProperties": false, "required": ["name"], "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 80},
            "timezone": {"type": "string", "description": "IANA time zone", "default": "Asia/Shanghai"},
            "locale": {"enum": ["zh-CN", "en"], "default": "zh-CN"},
            "brand_voice": {"type": "string", "maxLength": 4000}
        }},
        "Workspace": {"type": "object", "properties": {
            "id": {"type": "integer"}, "name": {"type": "string"}, "timezone": {"type": "string"}, "locale": {"type": "string"},
            "brand_voice": {"type": "string"}, "role": {"$ref": "#/components/schemas/Role"}, "created_at": time
        }},
        "NewChannel": {"type": "object", "additionalProperties": false, "required": ["platform", "name"], "properties": {
            "platform": {"$ref": "#/components/schemas/Platform"},
            "name": {"type": "string", "minLength": 1, "maxLength": 80},
            "settings": {"description": "The platform's connection settings; omit where the platform needs none.", "oneOf": settings_schemas()}
        }},
        "Channel": {"type": "object", "properties": {
            "id": {"type": "integer"}, "workspace_id": {"type": "integer"}, "platform": {"$ref": "#/components/schemas/Platform"},
            "tier": {"enum": ["api", "assisted", "sandbox"]}, "name": {"type": "string"},
            "settings": {"type": "object", "additionalProperties": {"type": "string"}},
            "secrets_set": {"type": "array", "items": {"type": "string"}}, "created_at": time
        }},
        "NewMember": {"type": "object", "additionalProperties": false, "required": ["email", "role"], "properties": {
            "email": {"type": "string", "format": "email"}, "role": {"$ref": "#/components/schemas/Role"}
        }},
        "Member": {"type": "object", "properties": {
            "id": {"type": "integer"}, "user_id": {"type": "integer"}, "email": {"type": "string"}, "display_name": {"type": "string"},
            "role": {"$ref": "#/components/schemas/Role"}, "joined_at": time
        }},
        "Theme": {"type": "object", "additionalProperties": false, "required": ["theme"], "properties": {
            "theme": {"enum": ["default", "elegant", "tech"]}, "custom_css": {"type": "string", "maxLength": 65536}
        }},
        "CalendarEvent": {"type": "object", "properties": {
            "id": {"type": "integer"}, "date": {"type": "string", "format": "date"}, "name": {"type": "string"}, "lead_days": {"type": "integer"}, "yearly": {"type": "boolean"}
        }},
        "TopicWeights": {"type": "object", "additionalProperties": false, "required": ["timeliness", "value", "conversion"], "properties": {
            "timeliness": {"type": "integer", "minimum": 0, "maximum": 10}, "value": {"type": "integer", "minimum": 0, "maximum": 10}, "conversion": {"type": "integer", "minimum": 0, "maximum": 10}
        }},
        "NewTopic": {"type": "object", "additionalProperties": false, "required": ["title", "source", "timeliness", "value", "conversion"], "properties": {
            "title": {"type": "string", "maxLength": 120}, "angle": {"type": "string", "maxLength": 500},
            "source": {"enum": ["hot_event", "user_demand", "product", "competitor", "brainstorm"]},
            "timeliness": {"type": "integer", "minimum": 1, "maximum": 5}, "value": {"type": "integer", "minimum": 1, "maximum": 5},
            "conversion": {"type": "integer", "minimum": 1, "maximum": 5}, "target_date": {"type": "string", "format": "date"}
        }},
        "Topic": {"type": "object", "properties": {
            "id": {"type": "integer"}, "title": {"type": "string"}, "angle": {"type": "string"}, "source": {"type": "string"},
            "timeliness": {"type": "integer"}, "value": {"type": "integer"}, "conversion": {"type": "integer"},
            "priority": {"type": "integer", "minimum": 0, "maximum": 100}, "status": {"type": "string"},
            "owner_id": {"type": ["integer", "null"]}, "target_date": {"type": ["string", "null"]}, "created_at": time
        }},
        "ApprovalRules": {"type": "object", "additionalProperties": false, "required": ["required_approvals", "author_may_approve", "lint_errors_block", "approver_roles"], "properties": {
            "required_approvals": {"type": "integer", "minimum": 0, "maximum": 5, "description": "0: submitting approves at once"},
            "author_may_approve": {"type": "boolean"},
            "lint_errors_block": {"type": "boolean", "description": "lint errors stop submission; an owner may override with a reason"},
            "approver_roles": {"type": "array", "items": {"enum": ["owner", "admin", "editor_in_chief"]}}
        }},
        "NewPost": {"type": "object", "additionalProperties": false, "required": ["title", "body"], "properties": {
            "title": {"type": "string", "minLength": 1, "maxLength": 200}, "body": {"type": "string", "description": "Markdown"},
            "channel_ids": {"type": "array", "items": {"type": "integer"}}, "topic_id": {"type": "integer"},
            "tags": {"type": "array", "items": {"type": "string", "maxLength": 30}},
            "assignee_id": {"type": ["integer", "null"], "description": "a member of the workspace"},
            "due_date": {"type": ["string", "null"], "format": "date", "description": "YYYY-MM-DD in the workspace's time zone"},
            "cover_media_id": {"type": ["integer", "null"], "description": "media of this workspace"}
        }},
        "EditPost": {"type": "object", "additionalProperties": false, "required": ["title", "body"], "properties": {
            "title": {"type": "string"}, "body": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}},
            "assignee_id": {"type": ["integer", "null"], "description": "left out or null: unassigned (an edit replaces these fields)"},
            "due_date": {"type": ["string", "null"], "format": "date"}, "cover_media_id": {"type": ["integer", "null"]}
        }},
        "Comment": {"type": "object", "properties": {
            "id": {"type": "integer"}, "author_id": {"type": "integer"}, "author_name": {"type": "string"}, "body": {"type": "string"}, "at": time,
            "mentions": {"type": "array", "items": {"type": "integer"}, "description": "user ids of the members mentioned"},
            "segments": {"type": "array", "items": {"oneOf": [{"type": "object", "properties": {"Text": {"type": "string"}}},
                {"type": "object", "properties": {"Mention": {"type": "object", "properties": {"user_id": {"type": "integer"}, "text": {"type": "string"}}}}}]}}
        }},
        "Post": {"type": "object", "properties": {
            "id": {"type": "integer"}, "workspace_id": {"type": "integer"}, "author_id": {"type": "integer"}, "author_name": {"type": "string"},
            "title": {"type": "string"}, "body": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}},
            "topic_id": {"type": ["integer", "null"]}, "status": {"enum": ["draft", "in_review", "changes_requested", "approved"]},
            "version": {"type": "integer"}, "created_at": time, "updated_at": time,
            "assignee_id": {"type": ["integer", "null"]}, "assignee_name": {"type": ["string", "null"]},
            "due_date": {"type": ["string", "null"], "format": "date"}, "cover_media_id": {"type": ["integer", "null"]},
            "variants": {"type": "array", "items": {"type": "object", "properties": {
                "id": {"type": "integer"}, "channel_id": {"type": "integer"}, "channel_name": {"type": "string"}, "platform": {"$ref": "#/components/schemas/Platform"},
                "title": {"type": "string"}, "body": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}}, "customized": {"type": "boolean"},
                "cover_media_id": {"type": ["integer", "null"], "description": "null: the master's cover"}}}},
            "approved_by": {"type": "array", "items": {"type": "integer"}},
            "history": {"type": "array", "items": {"type": "object", "properties": {
                "at": time, "actor": {"type": "string"}, "action": {"type": "string"}, "from_status": {"type": "string"},
                "to_status": {"type": "string"}, "version": {"type": "integer"}, "note": {"type": "string"}}}}
        }},
        "AddedMember": {"oneOf": [
            {"allOf": [{"$ref": "#/components/schemas/Member"}, {"type": "object", "properties": {"status": {"const": "joined"}}}]},
            {"type": "object", "properties": {"status": {"const": "invited"}, "id": {"type": "integer"}, "email": {"type": "string"},
                "role": {"$ref": "#/components/schemas/Role"}, "expires_at": time, "invite_url": {"type": "string", "format": "uri"}}}
        ]}
    })
}

/// One object schema per platform, straight from the domain's settings spec.
fn settings_schemas() -> Vec<Value> {
    Platform::ALL
        .iter()
        .map(|p| {
            let spec = p.settings_spec();
            let properties: serde_json::Map<String, Value> = spec
                .iter()
                .map(|f| {
                    let mut s = json!({"type": "string"});
                    if f.url {
                        s["format"] = json!("uri");
                        s["description"] = json!("https, or http to a loopback address");
                    }
                    if f.secret {
                        s["writeOnly"] = json!(true);
                        s["description"] = json!("secret: encrypted at rest, never returned");
                    }
                    if !f.choices.is_empty() {
                        s["enum"] = json!(f.choices);
                        s["default"] = json!(f.choices[0]);
                    }
                    if f.integer {
                        s["pattern"] = json!("^[0-9]{1,10}$");
                    }
                    if let Some(about) = setting_description(*p, f.key) {
                        s["description"] = json!(about);
                    }
                    (f.key.to_owned(), s)
                })
                .collect();
            let required: Vec<&str> = spec.iter().filter(|f| f.required).map(|f| f.key).collect();
            json!({"title": p.code(), "type": "object", "additionalProperties": false, "properties": properties, "required": required})
        })
        .collect()
}

/// What a setting does, where its name and type do not say it.
fn setting_description(platform: Platform, key: &str) -> Option<&'static str> {
    match (platform, key) {
        (Platform::WechatOa, "delivery") => Some(
            "publish: freepublish, on the account's page with no push to followers (the default); \
             mass_all: mass send (群发) to every follower; mass_tag: mass send to the followers \
             with the tag mass_tag_id. Mass sends count against the account type's quota.",
        ),
        (Platform::WechatOa, "mass_tag_id") => Some(
            "the WeChat user tag a mass_tag delivery sends to; required for mass_tag and \
             refused with any other delivery",
        ),
        (Platform::WechatOa, "account_type") => Some(
            "subscription (订阅号, the default): one mass send a day; service (服务号): four \
             mass sends a month. Publishing is not limited by it.",
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn wechat_delivery_settings_are_documented() {
        let wechat = super::settings_schemas()
            .into_iter()
            .find(|s| s["title"] == "wechat_oa")
            .expect("a wechat_oa schema");
        let delivery = &wechat["properties"]["delivery"];
        assert_eq!(
            delivery["enum"],
            serde_json::json!(["publish", "mass_all", "mass_tag"])
        );
        assert_eq!(delivery["default"], "publish");
        assert!(delivery["description"].as_str().unwrap().contains("群发"));
        assert_eq!(
            wechat["properties"]["mass_tag_id"]["pattern"],
            "^[0-9]{1,10}$"
        );
        assert_eq!(
            wechat["properties"]["account_type"]["enum"],
            serde_json::json!(["subscription", "service"])
        );
    }

    #[test]
    fn every_api_route_is_documented() {
        let doc = super::build();
        for spec in crate::routes::table().iter().filter(|s| s.is_api()) {
            let method = spec.method.as_str().to_lowercase();
            assert!(
                doc["paths"][spec.path][&method].is_object(),
                "{} {} is missing from the OpenAPI document",
                spec.method,
                spec.path
            );
        }
    }
}
