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

diesel::table! {
    /// A member's data account: login material and sealed keys (never plaintext keys).
    members (id) {
        id -> Text,
        email -> Text,
        kdf_params -> Binary,
        auth_hash -> Text,
        sealed_vault_key -> Binary,
        recovery_vault_key -> Binary,
        public_keys -> Binary,
        sealed_member_keys -> Binary,
        created_at -> BigInt,
        recovery_public_key -> Nullable<Binary>,
    }
}

diesel::table! {
    /// Encrypted records with the metadata the member chose to expose.
    records (member_id, id) {
        member_id -> Text,
        id -> Text,
        version -> BigInt,
        category -> Text,
        type_code -> Text,
        effective_at -> Nullable<BigInt>,
        content_type -> Text,
        size -> BigInt,
        ciphertext -> Binary,
        wrapped_key -> Binary,
        created_at -> BigInt,
        updated_at -> BigInt,
        device_id -> Nullable<Text>,
    }
}

diesel::table! {
    /// Answers to creating requests, so a retry with the same key stores nothing twice.
    idempotency_keys (member_id, key) {
        member_id -> Text,
        key -> Text,
        request_hash -> Binary,
        response -> Text,
        created_at -> BigInt,
    }
}

diesel::joinable!(records -> members (member_id));
diesel::allow_tables_to_appear_in_same_query!(members, records, idempotency_keys);

diesel::table! {
    /// Write-only device tokens (only their SHA-256 is stored).
    devices (id) {
        id -> Text,
        member_id -> Text,
        name -> Text,
        token_hash -> Binary,
        categories -> Nullable<Text>,
        created_at -> BigInt,
        last_used_at -> Nullable<BigInt>,
        records_added -> BigInt,
        revoked_at -> Nullable<BigInt>,
        public_key -> Nullable<Binary>,
        certificate -> Nullable<Binary>,
    }
}

diesel::table! {
    /// HPKE-sealed batch keys of device uploads.
    device_batches (member_id, id) {
        member_id -> Text,
        id -> Text,
        device_id -> Text,
        sealed_batch_key -> Binary,
        created_at -> BigInt,
    }
}

diesel::table! {
    /// One row per named log (the access log is 1): its size; the row lock
    /// serialises the log's appends on PostgreSQL.
    log_head (id) {
        id -> Integer,
        size -> BigInt,
        name -> Text,
    }
}

diesel::table! {
    /// Access-log entries (the tree's leaves), with columns for filtering.
    log_entries (idx) {
        idx -> BigInt,
        member_id -> Text,
        time_micros -> BigInt,
        actor_kind -> Text,
        action -> Text,
        study_id -> Nullable<Text>,
        body -> Binary,
    }
}

diesel::table! {
    /// Stored Merkle tree hashes, by log and stored-hash index.
    log_hashes (log_id, idx) {
        log_id -> Integer,
        idx -> BigInt,
        hash -> Binary,
    }
}

diesel::table! {
    /// Signed checkpoints (C2SP tlog-checkpoint signed notes), one per log and size.
    log_checkpoints (log_id, size) {
        log_id -> Integer,
        size -> BigInt,
        root -> Binary,
        signed -> Text,
        created_at -> BigInt,
    }
}

diesel::allow_tables_to_appear_in_same_query!(log_head, log_entries, log_hashes, log_checkpoints);

diesel::table! {
    /// Blobs: what the server knows of a member's encrypted file (the
    /// ciphertext itself is the object `blobs/<sha256>` in the blob store).
    blobs (member_id, id) {
        member_id -> Text,
        id -> Text,
        category -> Text,
        size -> BigInt,
        sha256 -> Text,
        wrapped_key -> Binary,
        sealed_meta -> Binary,
        created_at -> BigInt,
    }
}

diesel::joinable!(blobs -> members (member_id));
diesel::allow_tables_to_appear_in_same_query!(members, blobs);

diesel::table! {
    /// Ids of deleted accounts, never registered again.
    retired_member_ids (id) {
        id -> Text,
        retired_at -> BigInt,
    }
}

diesel::table! {
    /// The governance log's entries: the exact bytes of each leaf.
    gov_entries (idx) {
        idx -> BigInt,
        kind -> Text,
        body -> Binary,
        at -> BigInt,
    }
}

diesel::table! {
    /// The register of members (§30): personal data here, its digest in the chain.
    gov_register (id) {
        id -> Text,
        number -> BigInt,
        account -> Nullable<Text>,
        name -> Text,
        contact -> Text,
        blinding -> Binary,
        joined_at -> BigInt,
        leaves_at -> Nullable<BigInt>,
        shares -> Integer,
        votes -> Integer,
        governance_key -> Nullable<Binary>,
        invitation_hash -> Nullable<Binary>,
        invitation_expires_at -> Nullable<BigInt>,
        recorded_at -> BigInt,
        email -> Nullable<Text>,
        personal_removed_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    /// Convened assemblies (the entry's JSON).
    gov_assemblies (id) {
        id -> Text,
        body -> Text,
        starts_at -> BigInt,
        entry_idx -> BigInt,
    }
}

diesel::table! {
    /// Motions (the entry's JSON) and, once closed, their count.
    gov_motions (id) {
        id -> Text,
        assembly -> Text,
        body -> Text,
        closes_at -> BigInt,
        result -> Nullable<Text>,
        closed_at -> Nullable<BigInt>,
        entry_idx -> BigInt,
        opens_at -> BigInt,
        noticed -> Integer,
    }
}

diesel::table! {
    /// Accepted ballots, by the index of their entry.
    gov_ballots (idx) {
        idx -> BigInt,
        motion -> Text,
        voter -> Text,
        body -> Text,
    }
}

diesel::table! {
    /// Proxies in force, per assembly.
    gov_proxies (assembly, grantor) {
        assembly -> Text,
        grantor -> Text,
        holder -> Text,
    }
}

diesel::table! {
    /// Studies approved by a resolution, with the index of the signed approval's entry.
    gov_study_approvals (study) {
        study -> Text,
        entry_idx -> BigInt,
        motion -> Text,
    }
}

diesel::table! {
    /// E-mail notices waiting to be sent, and those sent (the outbox).
    notice_outbox (id) {
        id -> Text,
        topic -> Text,
        recipient -> Text,
        subject -> Text,
        body -> Text,
        created_at -> BigInt,
        due_at -> BigInt,
        attempts -> Integer,
        claim -> Nullable<Text>,
        claimed_until -> Nullable<BigInt>,
        sent_at -> Nullable<BigInt>,
        failed_at -> Nullable<BigInt>,
        last_error -> Nullable<Text>,
    }
}

diesel::table! {
    /// The members of each body, as the last carried election for it made them.
    gov_body_members (body, member) {
        body -> Text,
        member -> Text,
        name -> Text,
        motion -> Text,
    }
}

diesel::table! {
    /// Powers of the general assembly delegated to a body.
    gov_delegations (power) {
        power -> Text,
        body -> Text,
        motion -> Text,
    }
}
diesel::allow_tables_to_appear_in_same_query!(gov_body_members, gov_register);

diesel::table! {
    /// Changes of members' shares, with the date each takes effect.
    gov_share_changes (member, entry_idx) {
        member -> Text,
        entry_idx -> BigInt,
        shares -> Integer,
        effective_at -> BigInt,
    }
}

diesel::table! {
    /// Researchers' accounts (an account with this row is a researcher's).
    researchers (account) {
        account -> Text,
        name -> Text,
        affiliation -> Text,
        created_at -> BigInt,
        verified_at -> Nullable<BigInt>,
        verified_idx -> Nullable<BigInt>,
    }
}

diesel::table! {
    /// Studies: terms as submitted, the study's key, its lifecycle.
    studies (id) {
        id -> Text,
        researcher -> Text,
        title -> Text,
        ends_at -> BigInt,
        terms -> Binary,
        terms_sha256 -> Binary,
        study_key -> Binary,
        sealed_study_key -> Binary,
        created_at -> BigInt,
        submitted_at -> Nullable<BigInt>,
        submitted_idx -> Nullable<BigInt>,
        closed_at -> Nullable<BigInt>,
        closed_idx -> Nullable<BigInt>,
    }
}

diesel::joinable!(studies -> researchers (researcher));
diesel::allow_tables_to_appear_in_same_query!(studies, researchers, members);

diesel::table! {
    /// Consents: the member's signed receipt and the share key sealed to the study.
    consents (id) {
        id -> Text,
        member -> Text,
        study -> Text,
        pseudonym -> Text,
        receipt -> Text,
        member_signature -> Binary,
        server_signature -> Nullable<Binary>,
        sealed_share_key -> Binary,
        created_at -> BigInt,
        granted_at -> Nullable<BigInt>,
        granted_idx -> Nullable<BigInt>,
        withdrawn_at -> Nullable<BigInt>,
        member_share_key -> Nullable<Binary>,
    }
}

diesel::table! {
    /// Study copies of members' records, de-identified and encrypted on their machines.
    study_copies (consent, id) {
        consent -> Text,
        id -> Text,
        source -> Text,
        category -> Text,
        type_code -> Text,
        effective -> Nullable<Text>,
        content_type -> Text,
        ciphertext -> Binary,
        wrapped_key -> Binary,
    }
}

diesel::table! {
    /// Pseudonyms of participants who withdrew, without the member.
    consent_withdrawals (pseudonym) {
        pseudonym -> Text,
        study -> Text,
        withdrawn_at -> BigInt,
    }
}

diesel::joinable!(study_copies -> consents (consent));
diesel::joinable!(consents -> studies (study));
diesel::allow_tables_to_appear_in_same_query!(consents, study_copies, studies);

diesel::table! {
    /// A researcher's downloads of a study's consented data.
    dataset_exports (id) {
        id -> Text,
        study -> Text,
        researcher -> Text,
        started_at -> BigInt,
    }
}

diesel::table! {
    /// The participants an export holds data of, with their access-log entry.
    export_participants (export, consent) {
        export -> Text,
        consent -> Text,
        log_idx -> BigInt,
    }
}

diesel::joinable!(export_participants -> dataset_exports (export));
diesel::allow_tables_to_appear_in_same_query!(dataset_exports, export_participants, studies);
