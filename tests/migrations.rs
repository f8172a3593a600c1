//! Migrations: mirrored names on both backends, and every migration runs
//! up, down and up again on each.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use datacoop_store::{migrate, DatabaseUrl, Db, DbOptions};
use datacoop_testkit::{backend_tests, Backend, TestDb};
use std::collections::BTreeSet;
use std::path::Path;

fn names(dir: &str) -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(dir);
    std::fs::read_dir(&root)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            for f in ["up.sql", "down.sql"] {
                assert!(
                    e.path().join(f).is_file(),
                    "{} lacks {f}",
                    e.path().display()
                );
            }
            e.file_name().to_string_lossy().into_owned()
        })
        .collect()
}

#[test]
fn migration_directories_mirror_each_other() {
    let sqlite = names("sqlite");
    let postgres = names("postgres");
    assert!(!sqlite.is_empty());
    assert_eq!(
        sqlite, postgres,
        "migrations/sqlite and migrations/postgres must have the same names"
    );
}

backend_tests!(up_down_up);

async fn up_down_up(backend: Backend) {
    let Some(tdb) = TestDb::create(backend) else {
        return;
    };
    let url = DatabaseUrl::parse(&tdb.url).unwrap();
    tokio::task::spawn_blocking(move || {
        let db = Db::connect(&url, &DbOptions::default()).unwrap();
        let expected = names("sqlite").len();
        assert_eq!(db.migrate().unwrap().len(), expected);
        assert!(
            db.migrate().unwrap().is_empty(),
            "second run applies nothing"
        );
        let mut conn = datacoop_store::DbConn::open(&url).unwrap();
        assert_eq!(migrate::revert_all(&mut conn).unwrap().len(), expected);
        assert_eq!(migrate::run_pending(&mut conn).unwrap().len(), expected);
        drop(tdb);
    })
    .await
    .unwrap();
}
