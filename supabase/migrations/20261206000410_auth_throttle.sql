-- Sign-in and sign-up throttling state, shared by every web process (it was a
-- per-process map). One row per throttled key; rows are pruned as they age.

create table public.auth_throttle (
  key text primary key,
  attempts integer not null default 0 constraint auth_throttle_attempts_positive check (attempts >= 0),
  window_started_at timestamptz not null default now(),
  last_attempt_at timestamptz not null default now(),
  blocked_until timestamptz
);
create index auth_throttle_last_attempt_at_idx on public.auth_throttle (last_attempt_at);
comment on table public.auth_throttle is
  'Throttling of local-mode sign-in and sign-up: failed sign-ins per account (growing delays) and per client address, sign-ups per client address. Written by the server only; rows older than their window are deleted.';
comment on column public.auth_throttle.key is
  'What is throttled: account:<lower-case e-mail>, address:<client address> (failed sign-ins) or sign-up:<client address>.';
comment on column public.auth_throttle.attempts is 'Attempts counted in the current window (failures for sign-in keys).';
comment on column public.auth_throttle.window_started_at is 'When the current counting window began.';
comment on column public.auth_throttle.last_attempt_at is 'The latest counted attempt; old rows are pruned by it.';
comment on column public.auth_throttle.blocked_until is 'Attempts for this key are refused until then; null when not blocked.';

revoke all on public.auth_throttle from anon, authenticated;
grant all on public.auth_throttle to service_role;
alter table public.auth_throttle enable row level security;
create policy auth_throttle_service on public.auth_throttle for all to service_role using (true) with check (true);
