//! A hostile or broken server cannot exhaust the client: an endless answer
//! is refused at the size limit, a page cursor that does not move forward
//! stops the paging. The server here is a raw TCP listener on 127.0.0.1:0
//! that writes whatever answer the scenario needs.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use datacoop_client::{json, next_cursor, Client, ClientError, MAX_JSON_ANSWER};
use reqwest::Method;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Answers one request with `head` and then `body_len` bytes of `{`.
async fn serve_once(head: String, body_len: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut sock, _) = listener.accept().await.unwrap();
        let mut buf = [0u8; 4096];
        let _ = sock.read(&mut buf).await;
        if sock.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        let chunk = vec![b'{'; 64 * 1024];
        let mut sent = 0;
        while sent < body_len {
            let n = chunk.len().min(body_len - sent);
            if sock.write_all(&chunk[..n]).await.is_err() {
                return; // the client hung up: what it should do
            }
            sent += n;
        }
    });
    format!("http://{addr}")
}

async fn get(base: &str) -> Result<serde_json::Value, ClientError> {
    let c = Client::new(base).unwrap();
    json(c.request(Method::GET, "/api/v1/records").send().await).await
}

#[tokio::test]
async fn an_answer_declared_too_long_is_refused_unread() {
    let len = MAX_JSON_ANSWER + 1;
    let base = serve_once(
        format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {len}\r\n\r\n"
        ),
        0,
    )
    .await;
    let err = get(&base).await.unwrap_err();
    assert!(err.to_string().contains("refusing to read it"), "{err}");
}

#[tokio::test]
async fn an_endless_chunked_answer_is_cut_at_the_limit() {
    let base = serve_once(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n".into(),
        MAX_JSON_ANSWER + 1024 * 1024,
    )
    .await;
    let err = get(&base).await.unwrap_err();
    assert!(err.to_string().contains("refusing to read it"), "{err}");
}

#[test]
fn a_cursor_must_end_its_page_and_move_forward() {
    let ok = |cur: Option<u64>, next: Option<u64>, last: Option<u64>, n: usize| {
        next_cursor(cur.as_ref(), next, last, n, 10)
    };
    assert_eq!(ok(None, Some(5), Some(5), 10).unwrap(), Some(5));
    assert_eq!(ok(Some(5), Some(9), Some(9), 4).unwrap(), Some(9));
    assert_eq!(ok(Some(5), None, None, 0).unwrap(), None);
    for (cur, next, last, n) in [
        (Some(5u64), 5u64, Some(5u64), 1), // repeats
        (Some(5), 3, Some(3), 1),          // rewinds
        (None, 7, None, 0),                // empty page with a cursor
        (Some(5), 99, Some(9), 4),         // skips past its own page
    ] {
        let err = ok(cur, Some(next), last, n).unwrap_err();
        assert!(err.to_string().contains("not the end of the page"), "{err}");
    }
    let err = ok(None, None, None, 11).unwrap_err();
    assert!(err.to_string().contains("at most 10"), "{err}");
}
