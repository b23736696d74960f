-- Tenant boundary (issue #10): tenants no longer name operator environment
-- variables as their AI key (any tenant admin could name another tenant's
-- TECHSCANIQ_AI_KEY_…). The operator assigns a key to a tenant explicitly
-- (`./techscaniq admin set-ai-key`), sealed like tenant keys, together with
-- the only base URL it may be sent to. Provider base URLs a tenant chooses
-- are written only through private.set_tenant_ai_base_url (called by the API
-- after it resolved and checked the host), not directly over PostgREST.

-- ---------------------------------------------------------------- variable references go
drop function public.tenant_ai_settings_redacted(uuid);
alter table public.tenant_ai_settings
  drop column openai_key_env,
  drop column anthropic_key_env,
  drop column local_key_env;

-- ---------------------------------------------------------------- operator-assigned keys
create table public.tenant_ai_operator_keys (
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  provider text not null check (provider in ('openai', 'anthropic', 'local')),
  key_ciphertext text not null check (key_ciphertext ~ '^v1\.'),
  key_last4 text not null check (char_length(key_last4) between 1 and 4),
  base_url text check (base_url ~ '^https?://' and char_length(base_url) <= 2048),
  assigned_at timestamptz not null default now(),
  primary key (tenant_id, provider),
  -- An OpenAI-compatible server has no official address: the operator names it.
  check (provider <> 'local' or base_url is not null)
);
comment on table public.tenant_ai_operator_keys is 'AI provider keys the operator assigned to a tenant (./techscaniq admin set-ai-key), with the only base URL each may be sent to. Written by the service role only; members see which providers have one and its last 4 characters.';
comment on column public.tenant_ai_operator_keys.tenant_id is 'Tenant the key is assigned to.';
comment on column public.tenant_ai_operator_keys.provider is 'openai, anthropic or local (an OpenAI-compatible server).';
comment on column public.tenant_ai_operator_keys.key_ciphertext is 'The key, AES-256-GCM sealed by the app (TECHSCANIQ_SECRETS_KEY), bound to tenant, provider and operator assignment. Readable by the service role only.';
comment on column public.tenant_ai_operator_keys.key_last4 is 'Last 4 characters of the key, to tell keys apart.';
comment on column public.tenant_ai_operator_keys.base_url is 'The only base URL this key is sent to; null = the vendor''s official API. A base URL the tenant sets is ignored for this key.';
comment on column public.tenant_ai_operator_keys.assigned_at is 'When the operator last assigned the key.';

alter table public.tenant_ai_operator_keys enable row level security;
revoke all on public.tenant_ai_operator_keys from anon, authenticated;
grant all on public.tenant_ai_operator_keys to service_role;
grant select (tenant_id, provider, key_last4, base_url, assigned_at) on public.tenant_ai_operator_keys to authenticated;
create policy "Members see which operator keys their tenant has" on public.tenant_ai_operator_keys
  for select to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin,member,viewer}'))::uuid[]));
create policy "The service role assigns operator keys" on public.tenant_ai_operator_keys
  for all to service_role using (true) with check (true);

-- ---------------------------------------------------------------- base URLs only through the API
revoke insert (openai_base_url, anthropic_base_url, local_base_url),
       update (openai_base_url, anthropic_base_url, local_base_url)
  on public.tenant_ai_settings from authenticated;

create function private.set_tenant_ai_base_url(target_tenant uuid, provider text, base_url text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  if coalesce(current_setting('role', true), 'none') = 'authenticated'
     and not private.has_tenant_role(target_tenant, '{owner,admin}') then
    raise exception 'only owners and admins change the AI settings' using errcode = '42501';
  end if;
  if provider not in ('openai', 'anthropic', 'local') then
    raise exception 'unknown AI provider %', provider using errcode = '22023';
  end if;
  execute format('update public.tenant_ai_settings set %I = $1 where tenant_id = $2', provider || '_base_url')
    using base_url, target_tenant;
end;
$$;
comment on function private.set_tenant_ai_base_url(uuid, text, text) is 'Sets a provider''s base URL for a tenant (owners and admins). The API calls it after resolving the host and refusing private addresses; it is not exposed over PostgREST (schema private), so the column cannot be changed around that check.';
revoke all on function private.set_tenant_ai_base_url(uuid, text, text) from public;
grant execute on function private.set_tenant_ai_base_url(uuid, text, text) to authenticated, service_role;

-- ---------------------------------------------------------------- redacted view for every member
create function public.tenant_ai_settings_redacted(target_tenant uuid)
returns table (
  tenant_id uuid,
  task_providers jsonb,
  disabled_providers text[],
  report_token_budget integer,
  openai_model text, openai_base_url text, openai_key_set boolean, openai_key_last4 text,
  anthropic_model text, anthropic_base_url text, anthropic_key_set boolean, anthropic_key_last4 text,
  local_model text, local_base_url text, local_key_set boolean, local_key_last4 text,
  updated_by uuid,
  updated_at timestamptz
)
language sql
stable
security definer
set search_path = ''
as $$
  select s.tenant_id, s.task_providers, s.disabled_providers, s.report_token_budget,
         s.openai_model, s.openai_base_url, s.openai_key_ciphertext is not null, s.openai_key_last4,
         s.anthropic_model, s.anthropic_base_url, s.anthropic_key_ciphertext is not null, s.anthropic_key_last4,
         s.local_model, s.local_base_url, s.local_key_ciphertext is not null, s.local_key_last4,
         s.updated_by, s.updated_at
    from public.tenant_ai_settings s
   where s.tenant_id = target_tenant
     and private.has_tenant_role(target_tenant, '{owner,admin,member,viewer}')
$$;
comment on function public.tenant_ai_settings_redacted(uuid) is 'A tenant''s AI settings without key material (whether a key is stored, and its last 4 characters), for any member of that tenant; no row for non-members or when the tenant has no settings.';
revoke all on function public.tenant_ai_settings_redacted(uuid) from public, anon;
grant execute on function public.tenant_ai_settings_redacted(uuid) to authenticated, service_role;
