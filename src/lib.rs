//! The end-to-end suite lives in `tests/`: each test starts the real server on
//! an ephemeral port and drives it through the real client, on SQLite and on
//! PostgreSQL.
#![forbid(unsafe_code)]
