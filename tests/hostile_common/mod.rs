//! The hostile-server scenarios' set-up: the real server behind a
//! rewriting proxy, and a member logged in through it.
#![allow(dead_code)]

use crate::account_common::{draft, PASS};
use datacoop_client::member::{self, MemberSession};
use datacoop_testkit::{Backend, TamperProxy, TestServer};
use uuid::Uuid;

/// The real server and a proxy in front of it.
pub async fn hostile(backend: Backend) -> Option<(TestServer, TamperProxy)> {
    let srv = TestServer::start(backend).await?;
    let proxy = TamperProxy::start(srv.base_url()).await;
    Some((srv, proxy))
}

/// A member logged in through the proxy, with one record of their own.
pub async fn member(proxy: &TamperProxy, email: &str) -> (MemberSession, Uuid) {
    let c = proxy.client();
    member::register(&c, email, PASS).await.unwrap();
    let s = member::login(&c, email, PASS, None).await.unwrap();
    let up = s.seal(&[draft("HbA1c 5.4 %")]).unwrap();
    let id = up[0].id;
    s.upload(up, "first").await.unwrap();
    (s, id)
}
