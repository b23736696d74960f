-- Refresh tokens are now derived from the session and its rotation number, so
-- a token replaced moments ago (a concurrent refresh) is answered with the
-- current one; only later reuse revokes the session. The columns say so.
comment on table public.sessions is 'Local-mode sign-in sessions. The id is the access token''s session_id claim; a revoked or expired session makes its access tokens invalid. The refresh token rotates on every use; the replaced one is answered with the current token for REFRESH_TOKEN_REUSE_INTERVAL (default 10 s, for concurrent refreshes) and revokes the session when presented after that. Written by the server only.';
comment on column public.sessions.previous_refresh_token_hash is 'Hex SHA-256 of the refresh token replaced by the last rotation; within the reuse interval it is answered with the current token, after it it means the token leaked and the session is revoked.';
comment on column public.sessions.rotation_count is 'How many times the refresh token rotated; with the session id it derives the current token (HMAC of the signing secret).';
