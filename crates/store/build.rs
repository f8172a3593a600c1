//! Rebuild when a migration is added, so the embedded set never goes stale.
fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
}
