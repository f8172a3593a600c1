//! Prints how many access tokens per second one core can check: HS256 (the
//! choice) against Ed25519 (ring), to back the choice in docs/architecture.md.
//!
//! Run: `cargo bench -p datacoop-auth --bench token_verify`
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use datacoop_auth::{Role, TokenSecret, TokenSettings, Tokens};
use ring::signature::{Ed25519KeyPair, KeyPair, UnparsedPublicKey, ED25519};
use std::time::Instant;
use uuid::Uuid;

fn rate(n: u32, f: impl Fn()) -> f64 {
    let start = Instant::now();
    for _ in 0..n {
        f();
    }
    n as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let tokens = Tokens::new(&TokenSecret::generate().unwrap(), TokenSettings::default());
    let (tok, _) = tokens
        .issue(Uuid::now_v7(), Role::Member, Uuid::now_v7())
        .unwrap();
    let n = 200_000;
    let hs = rate(n, || {
        tokens.verify(&tok).unwrap();
    });
    println!("HS256 JWT verify (full decode + claims):  {hs:>10.0} tokens/s/core");

    let rng = ring::rand::SystemRandom::new();
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
    let kp = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
    let msg = tok.as_bytes();
    let sig = kp.sign(msg);
    let pk = UnparsedPublicKey::new(&ED25519, kp.public_key().as_ref().to_vec());
    let ed = rate(n / 10, || {
        pk.verify(msg, sig.as_ref()).unwrap();
    });
    println!("Ed25519 signature verify only (ring):     {ed:>10.0} signatures/s/core");
    println!(
        "ratio: HS256 full verify is {:.1}x Ed25519 signature-only",
        hs / ed
    );
}
