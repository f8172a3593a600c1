-- Keys the client makes (datacoop 0.2).
--
-- Device keys (docs/crypto.md section 10): the member's client makes each
-- device an X25519 key pair at enrolment and signs a certificate over the
-- device's id, name, categories and public key. The server stores both and
-- cannot make either. Devices enrolled before have neither and must be
-- enrolled again before they can upload.
ALTER TABLE devices ADD COLUMN public_key BLOB;
ALTER TABLE devices ADD COLUMN certificate BLOB;

-- Recovery keys (docs/crypto.md section 7.1): the recovery code derives an
-- Ed25519 key whose public half is registered here, so a recovery proves the
-- code itself. Accounts registered before have none until their first
-- recovery or a new code.
ALTER TABLE members ADD COLUMN recovery_public_key BLOB;
