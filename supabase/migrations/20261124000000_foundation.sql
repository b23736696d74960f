-- Foundation: tenants, memberships, API keys, sessions, the event outbox,
-- the audit log and worker heartbeats, all behind row-level security.
--
-- Policies follow Supabase's RLS performance guide: the caller's identity is
-- read through `(select ...)` so Postgres evaluates it once per statement,
-- and tenant membership is resolved by security-definer helpers in the
-- non-exposed schema `private` that return the caller's tenant ids, so a
-- policy is a plain `tenant_id = any(<array>)` index condition.

create schema if not exists private;
comment on schema private is 'Helpers for row-level security policies and triggers; not exposed through the API.';
revoke all on schema private from public;
grant usage on schema private to authenticated, service_role;

-- ---------------------------------------------------------------- tenants

create table public.tenants (
  id uuid primary key default gen_random_uuid(),
  slug text not null unique
    constraint tenants_slug_format check (slug ~ '^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$'),
  name text not null
    constraint tenants_name_length check (char_length(btrim(name)) between 1 and 200),
  plan text not null default 'free'
    constraint tenants_plan_valid check (plan in ('free', 'pro', 'enterprise')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.tenants is 'A customer organisation. Every tenant-owned row carries tenant_id and is visible only to the tenant''s members (RLS). Create through public.create_tenant().';
comment on column public.tenants.id is 'Tenant id, referenced by tenant_id everywhere.';
comment on column public.tenants.slug is 'URL-safe unique handle: 3-40 lowercase letters, digits or inner hyphens.';
comment on column public.tenants.name is 'Display name.';
comment on column public.tenants.plan is 'Billing plan: free, pro or enterprise. Changed by operators (service role), not by tenant admins.';
comment on column public.tenants.created_at is 'When the tenant was created.';
comment on column public.tenants.updated_at is 'When the tenant row last changed (maintained by trigger).';

-- ------------------------------------------------------------ memberships

create table public.memberships (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role text not null
    constraint memberships_role_valid check (role in ('owner', 'admin', 'member', 'viewer')),
  created_at timestamptz not null default now(),
  constraint memberships_tenant_user_key unique (tenant_id, user_id)
);
create index memberships_user_id_idx on public.memberships (user_id);
comment on table public.memberships is 'Which users belong to which tenant, and with what role. A tenant always keeps at least one owner (trigger).';
comment on column public.memberships.id is 'Membership id.';
comment on column public.memberships.tenant_id is 'The tenant.';
comment on column public.memberships.user_id is 'The member (auth.users).';
comment on column public.memberships.role is 'owner: everything incl. deleting the tenant; admin: manage members and API keys; member: read and write tenant data; viewer: read only.';
comment on column public.memberships.created_at is 'When the user joined the tenant.';

-- --------------------------------------------------------------- api_keys

create table public.api_keys (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  name text not null
    constraint api_keys_name_length check (char_length(btrim(name)) between 1 and 100),
  prefix text not null unique,
  secret_hash text not null unique
    constraint api_keys_secret_hash_format check (secret_hash ~ '^[0-9a-f]{64}$'),
  scopes text[] not null default '{read}'
    constraint api_keys_scopes_valid check (cardinality(scopes) > 0 and scopes <@ array['read', 'write', 'admin']),
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  expires_at timestamptz,
  revoked_at timestamptz,
  last_used_at timestamptz
);
create index api_keys_tenant_id_idx on public.api_keys (tenant_id);
create index api_keys_created_by_idx on public.api_keys (created_by);
comment on table public.api_keys is 'Tenant-bound API keys for internal tools. Only a SHA-256 hash of the secret is stored; the secret is shown once at creation. Revoke by setting revoked_at; keys are never deleted, so the audit trail stays intact.';
comment on column public.api_keys.id is 'Key id; carried in access tokens as app_metadata.api_key_id.';
comment on column public.api_keys.tenant_id is 'The only tenant this key can act on.';
comment on column public.api_keys.name is 'Label given by the creator.';
comment on column public.api_keys.prefix is 'Non-secret beginning of the key, shown in listings so people can tell keys apart.';
comment on column public.api_keys.secret_hash is 'Lowercase hex SHA-256 of the full secret.';
comment on column public.api_keys.scopes is 'Subset of read, write, admin; acts as role viewer, member or admin respectively (the highest scope wins).';
comment on column public.api_keys.created_by is 'User who created the key; null when created by an operator or another key.';
comment on column public.api_keys.created_at is 'When the key was created.';
comment on column public.api_keys.expires_at is 'After this instant the key is refused; null = no expiry.';
comment on column public.api_keys.revoked_at is 'When the key was revoked; a revoked key is refused.';
comment on column public.api_keys.last_used_at is 'Last successful use (updated by the server).';

-- --------------------------------------------------------------- sessions

create table public.sessions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  refresh_token_hash text not null unique
    constraint sessions_refresh_token_hash_format check (refresh_token_hash ~ '^[0-9a-f]{64}$'),
  previous_refresh_token_hash text
    constraint sessions_previous_refresh_token_hash_format check (previous_refresh_token_hash ~ '^[0-9a-f]{64}$'),
  rotation_count integer not null default 0,
  rotated_at timestamptz,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  revoked_at timestamptz,
  revoked_reason text,
  user_agent text,
  ip inet
);
create index sessions_user_id_idx on public.sessions (user_id);
create index sessions_previous_refresh_token_hash_idx on public.sessions (previous_refresh_token_hash);
comment on table public.sessions is 'Local-mode sign-in sessions. The id is the access token''s session_id claim; a revoked or expired session makes its access tokens invalid. The refresh token rotates on every use; presenting the previous one again (reuse) revokes the session. Written by the server only.';
comment on column public.sessions.id is 'Session id = session_id claim of the access tokens issued for it.';
comment on column public.sessions.user_id is 'The signed-in user.';
comment on column public.sessions.refresh_token_hash is 'Hex SHA-256 of the current (only valid) refresh token.';
comment on column public.sessions.previous_refresh_token_hash is 'Hex SHA-256 of the refresh token replaced by the last rotation; seeing it again means the token leaked.';
comment on column public.sessions.rotation_count is 'How many times the refresh token has rotated.';
comment on column public.sessions.rotated_at is 'When the refresh token last rotated.';
comment on column public.sessions.created_at is 'Sign-in time.';
comment on column public.sessions.expires_at is 'The session (and its refresh token) ends at this instant.';
comment on column public.sessions.revoked_at is 'Sign-out or forced revocation time; null while active.';
comment on column public.sessions.revoked_reason is 'Why the session was revoked: sign_out, refresh_token_reuse, admin, ...';
comment on column public.sessions.user_agent is 'User-Agent at sign-in.';
comment on column public.sessions.ip is 'Client IP address at sign-in.';

-- ----------------------------------------------------------------- events

create table public.events (
  id bigint generated always as identity primary key,
  type text not null
    constraint events_type_format check (type ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$'),
  version integer not null default 1
    constraint events_version_positive check (version > 0),
  tenant_id uuid references public.tenants (id) on delete cascade,
  user_id uuid references auth.users (id) on delete set null,
  subject text not null,
  data jsonb not null default '{}',
  created_at timestamptz not null default now()
);
create index events_tenant_id_id_idx on public.events (tenant_id, id);
create index events_user_id_idx on public.events (user_id);
comment on table public.events is 'Outbox of domain events, written in the same transaction as the change they describe; each insert also sends NOTIFY techscaniq_events. Realtime updates, webhooks and analytics read it. Append-only.';
comment on column public.events.id is 'Increasing event id; consumers resume after the last id they saw.';
comment on column public.events.type is 'Dotted event name, e.g. tenant.created or scan.completed.';
comment on column public.events.version is 'Schema version of data for this type.';
comment on column public.events.tenant_id is 'Tenant the event belongs to; null for events outside any tenant (e.g. sign-up).';
comment on column public.events.user_id is 'User who caused the event, if any.';
comment on column public.events.subject is 'What the event is about, e.g. the scan or tenant id.';
comment on column public.events.data is 'Event payload (JSON).';
comment on column public.events.created_at is 'When the event was written.';

create function private.notify_event() returns trigger
language plpgsql set search_path = '' as $$
begin
  perform pg_notify('techscaniq_events', json_build_object(
    'id', new.id, 'tenant_id', new.tenant_id, 'type', new.type, 'subject', new.subject)::text);
  return null;
end
$$;
comment on function private.notify_event() is 'Announces each new event on channel techscaniq_events (delivered at commit).';
create trigger events_notify after insert on public.events
  for each row execute function private.notify_event();

-- -------------------------------------------------------------- audit_log

create table public.audit_log (
  id bigint generated always as identity primary key,
  tenant_id uuid references public.tenants (id) on delete cascade,
  actor_user_id uuid references auth.users (id) on delete set null,
  actor_api_key_id uuid references public.api_keys (id) on delete set null,
  action text not null,
  target text,
  details jsonb not null default '{}',
  request_id text,
  created_at timestamptz not null default now()
);
create index audit_log_tenant_id_created_at_idx on public.audit_log (tenant_id, created_at);
create index audit_log_actor_user_id_idx on public.audit_log (actor_user_id);
create index audit_log_actor_api_key_id_idx on public.audit_log (actor_api_key_id);
comment on table public.audit_log is 'Who did what to which tenant data, for tenant owners and admins. Append-only.';
comment on column public.audit_log.id is 'Increasing entry id.';
comment on column public.audit_log.tenant_id is 'Tenant acted on; null for actions outside any tenant.';
comment on column public.audit_log.actor_user_id is 'Acting user, if a person acted.';
comment on column public.audit_log.actor_api_key_id is 'Acting API key, if a key acted.';
comment on column public.audit_log.action is 'What was done, e.g. api_key.create or member.remove.';
comment on column public.audit_log.target is 'What it was done to (id or name).';
comment on column public.audit_log.details is 'Extra detail (JSON); never secrets.';
comment on column public.audit_log.request_id is 'Request id of the API call, to correlate with logs.';
comment on column public.audit_log.created_at is 'When it happened.';

-- ------------------------------------------------------ worker_heartbeats

create table public.worker_heartbeats (
  worker_id text primary key,
  hostname text not null,
  pid integer not null,
  started_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  info jsonb not null default '{}'
);
comment on table public.worker_heartbeats is 'One row per running worker process, refreshed periodically; health checks read the age of last_seen_at. Service role only.';
comment on column public.worker_heartbeats.worker_id is 'Unique id of the worker process.';
comment on column public.worker_heartbeats.hostname is 'Host the worker runs on.';
comment on column public.worker_heartbeats.pid is 'Operating-system process id.';
comment on column public.worker_heartbeats.started_at is 'When the worker started.';
comment on column public.worker_heartbeats.last_seen_at is 'Last heartbeat.';
comment on column public.worker_heartbeats.info is 'Version, concurrency, queues and similar (JSON).';

-- ----------------------------------------------------------- RLS helpers

create function private.current_api_key_id() returns uuid
language sql stable set search_path = '' as $$
  select case when k ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then k::uuid end
    from (select auth.jwt() -> 'app_metadata' ->> 'api_key_id' as k) as claims
$$;
comment on function private.current_api_key_id() is 'The API key id in the caller''s JWT (app_metadata.api_key_id), or null when absent or malformed.';

create function private.tenant_roles() returns table (tenant_id uuid, role text)
language plpgsql stable security definer set search_path = '' as $$
begin
  -- A token minted for an API key acts only through that key, never through
  -- the memberships of whoever created it.
  if auth.jwt() -> 'app_metadata' ->> 'api_key_id' is not null then
    return query
      select k.tenant_id,
             case when 'admin' = any (k.scopes) then 'admin'
                  when 'write' = any (k.scopes) then 'member'
                  else 'viewer' end
        from public.api_keys k
       where k.id = private.current_api_key_id()
         and k.revoked_at is null
         and (k.expires_at is null or k.expires_at > now());
    return;
  end if;
  return query select m.tenant_id, m.role from public.memberships m where m.user_id = auth.uid();
end
$$;
comment on function private.tenant_roles() is 'Every tenant the caller can act on with the role they act as: from a valid (unrevoked, unexpired) API key when the JWT names one, else from the user''s memberships.';

create function private.tenant_role(p_tenant uuid) returns text
language sql stable security definer set search_path = '' as $$
  select r.role from private.tenant_roles() r where r.tenant_id = p_tenant
$$;
comment on function private.tenant_role(uuid) is 'The caller''s role in a tenant (owner, admin, member, viewer) or null.';

create function private.has_tenant_role(p_tenant uuid, p_roles text[]) returns boolean
language sql stable security definer set search_path = '' as $$
  select coalesce(private.tenant_role(p_tenant) = any (p_roles), false)
$$;
comment on function private.has_tenant_role(uuid, text[]) is 'True when the caller''s role in the tenant is one of p_roles.';

create function private.tenant_ids(p_roles text[]) returns uuid[]
language sql stable security definer set search_path = '' as $$
  select coalesce(array_agg(r.tenant_id), '{}') from private.tenant_roles() r where r.role = any (p_roles)
$$;
comment on function private.tenant_ids(text[]) is 'Ids of the tenants where the caller has one of p_roles; policies call it once per statement as (select private.tenant_ids(...)).';

revoke all on all functions in schema private from public;
grant execute on function private.current_api_key_id(), private.tenant_roles(), private.tenant_role(uuid),
  private.has_tenant_role(uuid, text[]), private.tenant_ids(text[]) to authenticated, service_role;

-- ----------------------------------------------------------- triggers

create function private.set_updated_at() returns trigger
language plpgsql set search_path = '' as $$
begin
  new.updated_at := now();
  return new;
end
$$;
create trigger tenants_set_updated_at before update on public.tenants
  for each row execute function private.set_updated_at();

create function private.keep_last_owner() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if old.role = 'owner' and (tg_op = 'DELETE' or new.role <> 'owner' or new.tenant_id <> old.tenant_id) then
    -- Lock the tenant so two concurrent demotions cannot both see another owner.
    -- When the tenant itself is being deleted its row is already gone.
    perform 1 from public.tenants t where t.id = old.tenant_id for update;
    if found and not exists (
      select 1 from public.memberships m
       where m.tenant_id = old.tenant_id and m.role = 'owner' and m.id <> old.id
    ) then
      raise exception 'A tenant must keep at least one owner: make another member owner first.'
        using errcode = 'check_violation', constraint = 'memberships_last_owner';
    end if;
  end if;
  return case when tg_op = 'DELETE' then old else new end;
end
$$;
comment on function private.keep_last_owner() is 'Refuses to delete or demote the last owner of a tenant.';
create trigger memberships_keep_last_owner before update or delete on public.memberships
  for each row execute function private.keep_last_owner();

-- ------------------------------------------------------- create_tenant

create function public.create_tenant(p_slug text, p_name text) returns public.tenants
language plpgsql security definer set search_path = '' as $$
declare
  v_user uuid := auth.uid();
  v_tenant public.tenants;
begin
  if v_user is null then
    raise exception 'Creating a tenant requires a signed-in user.' using errcode = 'insufficient_privilege';
  end if;
  if auth.jwt() -> 'app_metadata' ->> 'api_key_id' is not null then
    raise exception 'API keys cannot create tenants.' using errcode = 'insufficient_privilege';
  end if;
  insert into public.tenants (slug, name) values (p_slug, p_name) returning * into v_tenant;
  insert into public.memberships (tenant_id, user_id, role) values (v_tenant.id, v_user, 'owner');
  return v_tenant;
end
$$;
comment on function public.create_tenant(text, text) is 'Creates a tenant owned by the signed-in caller (the only way for users to create tenants).';
revoke all on function public.create_tenant(text, text) from public, anon;
grant execute on function public.create_tenant(text, text) to authenticated, service_role;

-- ---------------------------------------------------------------- grants
-- Explicit, because Supabase's default privileges would give anon and
-- authenticated everything; RLS then narrows the rows.

revoke all on public.tenants, public.memberships, public.api_keys, public.sessions,
  public.events, public.audit_log, public.worker_heartbeats from anon, authenticated;
grant all on public.tenants, public.memberships, public.api_keys, public.sessions,
  public.events, public.audit_log, public.worker_heartbeats to service_role;

grant select, delete, update (name) on public.tenants to authenticated;
grant select, insert, delete, update (role) on public.memberships to authenticated;
grant select, insert, update (name, expires_at, revoked_at) on public.api_keys to authenticated;
grant select on public.sessions to authenticated;
grant select, insert on public.events to authenticated;
grant select, insert on public.audit_log to authenticated;

-- --------------------------------------------------------------- policies

alter table public.tenants enable row level security;
alter table public.memberships enable row level security;
alter table public.api_keys enable row level security;
alter table public.sessions enable row level security;
alter table public.events enable row level security;
alter table public.audit_log enable row level security;
alter table public.worker_heartbeats enable row level security;

create policy tenants_select on public.tenants for select to authenticated
  using (id = any ((select private.tenant_ids('{owner,admin,member,viewer}'))::uuid[]));
create policy tenants_update on public.tenants for update to authenticated
  using (id = any ((select private.tenant_ids('{owner,admin}'))::uuid[]))
  with check (id = any ((select private.tenant_ids('{owner,admin}'))::uuid[]));
create policy tenants_delete on public.tenants for delete to authenticated
  using (id = any ((select private.tenant_ids('{owner}'))::uuid[]));

create policy memberships_select on public.memberships for select to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin,member,viewer}'))::uuid[]));
-- Admins manage members; only owners grant, change or remove the owner role.
create policy memberships_insert on public.memberships for insert to authenticated
  with check (tenant_id = any ((select private.tenant_ids('{owner,admin}'))::uuid[])
              and (role <> 'owner' or tenant_id = any ((select private.tenant_ids('{owner}'))::uuid[])));
create policy memberships_update on public.memberships for update to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin}'))::uuid[])
         and (role <> 'owner' or tenant_id = any ((select private.tenant_ids('{owner}'))::uuid[])))
  with check (tenant_id = any ((select private.tenant_ids('{owner,admin}'))::uuid[])
              and (role <> 'owner' or tenant_id = any ((select private.tenant_ids('{owner}'))::uuid[])));
create policy memberships_delete on public.memberships for delete to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin}'))::uuid[])
         and (role <> 'owner' or tenant_id = any ((select private.tenant_ids('{owner}'))::uuid[])));

create policy api_keys_select on public.api_keys for select to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin}'))::uuid[]));
create policy api_keys_insert on public.api_keys for insert to authenticated
  with check (tenant_id = any ((select private.tenant_ids('{owner,admin}'))::uuid[])
              and (created_by is null or created_by = (select auth.uid())));
create policy api_keys_update on public.api_keys for update to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin}'))::uuid[]))
  with check (tenant_id = any ((select private.tenant_ids('{owner,admin}'))::uuid[]));

create policy sessions_select_own on public.sessions for select to authenticated
  using (user_id = (select auth.uid()));
create policy sessions_service on public.sessions for all to service_role
  using (true) with check (true);

create policy events_select on public.events for select to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin,member,viewer}'))::uuid[]));
create policy events_insert on public.events for insert to authenticated
  with check (tenant_id = any ((select private.tenant_ids('{owner,admin,member,viewer}'))::uuid[])
              and (user_id is null or user_id = (select auth.uid())));

create policy audit_log_select on public.audit_log for select to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin}'))::uuid[]));
create policy audit_log_insert on public.audit_log for insert to authenticated
  with check (tenant_id = any ((select private.tenant_ids('{owner,admin,member,viewer}'))::uuid[])
              and (actor_user_id is null or actor_user_id = (select auth.uid()))
              and (actor_api_key_id is null or actor_api_key_id = (select private.current_api_key_id())));

create policy worker_heartbeats_service on public.worker_heartbeats for all to service_role
  using (true) with check (true);
