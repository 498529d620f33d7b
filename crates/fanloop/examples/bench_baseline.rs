//! The baseline for `bench/run.sh`: the most trivial axum server, on the same runtime
//! and HTTP stack as Fanloop, answering a fixed small JSON body. Fanloop's authenticated
//! API throughput is reported as a ratio to this, measured in the same run.

use axum::Router;
use axum::routing::get;

#[tokio::main]
async fn main() {
    let bind = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:18181".into());
    let app = Router::new().route(
        "/",
        get(|| async {
            (
                [("content-type", "application/json")],
                r#"[{"id":1,"name":"baseline"}]"#,
            )
        }),
    );
    let listener = tokio::net::TcpListener::bind(&bind).await.expect("bind");
    println!("baseline listening on {bind}");
    axum::serve(listener, app).await.expect("serve");
}
