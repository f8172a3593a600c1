//! The portable diesel schema: identical on both backends (UUIDs as text,
//! times as integer seconds or microseconds since the Unix epoch, bytes as
//! BLOB/bytea).
#![allow(missing_docs)]

diesel::table! {
    /// A login session: the family of rotating refresh tokens of one login.
    sessions (id) {
        id -> Text,
        subject -> Text,
        role -> Text,
        label -> Nullable<Text>,
        created_at -> BigInt,
        last_used_at -> BigInt,
        expires_at -> BigInt,
        revoked_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    /// Refresh tokens, stored only as SHA-256 hashes; each is single-use.
    refresh_tokens (token_hash) {
        token_hash -> Binary,
        session_id -> Text,
        issued_at -> BigInt,
        expires_at -> BigInt,
        used_at -> Nullable<BigInt>,
    }
}

diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::allow_tables_to_appear_in_same_query!(sessions, refresh_tokens);
