-- Per-tenant AI provider settings: which provider answers each task, which
-- providers a tenant refuses, its token budget per report, and its own
-- provider credentials. A key is stored only as AES-256-GCM ciphertext made
-- by the application (key from TECHSCANIQ_SECRETS_KEY), or as the name of an
-- operator-provided environment variable. No role but the service role can
-- read the ciphertext columns (column privileges); tenant owners and admins
-- read and write the rest; every member reads the redacted view through
-- public.tenant_ai_settings_redacted().

create table public.tenant_ai_settings (
  tenant_id uuid primary key references public.tenants (id) on delete cascade,
  task_providers jsonb not null default '{}' check (jsonb_typeof(task_providers) = 'object'),
  disabled_providers text[] not null default '{}'
    check (disabled_providers <@ array['openai', 'anthropic', 'local', 'offline']::text[]),
  report_token_budget integer check (report_token_budget between 1000 and 5000000),

  openai_model text check (char_length(openai_model) between 1 and 200),
  openai_base_url text check (openai_base_url ~ '^https?://' and char_length(openai_base_url) <= 2048),
  openai_key_ciphertext text check (openai_key_ciphertext ~ '^v1\.'),
  openai_key_last4 text check (char_length(openai_key_last4) between 1 and 4),
  openai_key_env text check (openai_key_env ~ '^TECHSCANIQ_AI_KEY_[A-Z0-9_]{1,100}$'),

  anthropic_model text check (char_length(anthropic_model) between 1 and 200),
  anthropic_base_url text check (anthropic_base_url ~ '^https?://' and char_length(anthropic_base_url) <= 2048),
  anthropic_key_ciphertext text check (anthropic_key_ciphertext ~ '^v1\.'),
  anthropic_key_last4 text check (char_length(anthropic_key_last4) between 1 and 4),
  anthropic_key_env text check (anthropic_key_env ~ '^TECHSCANIQ_AI_KEY_[A-Z0-9_]{1,100}$'),

  local_model text check (char_length(local_model) between 1 and 200),
  local_base_url text check (local_base_url ~ '^https?://' and char_length(local_base_url) <= 2048),
  local_key_ciphertext text check (local_key_ciphertext ~ '^v1\.'),
  local_key_last4 text check (char_length(local_key_last4) between 1 and 4),
  local_key_env text check (local_key_env ~ '^TECHSCANIQ_AI_KEY_[A-Z0-9_]{1,100}$'),

  updated_by uuid references auth.users (id) on delete set null,
  updated_at timestamptz not null default now(),

  -- A provider's key is either stored (ciphertext + last 4) or referenced by variable name, never both.
  constraint tenant_ai_settings_openai_key_source check (openai_key_ciphertext is null or openai_key_env is null),
  constraint tenant_ai_settings_anthropic_key_source check (anthropic_key_ciphertext is null or anthropic_key_env is null),
  constraint tenant_ai_settings_local_key_source check (local_key_ciphertext is null or local_key_env is null),
  constraint tenant_ai_settings_openai_key_hint check ((openai_key_ciphertext is null) = (openai_key_last4 is null)),
  constraint tenant_ai_settings_anthropic_key_hint check ((anthropic_key_ciphertext is null) = (anthropic_key_last4 is null)),
  constraint tenant_ai_settings_local_key_hint check ((local_key_ciphertext is null) = (local_key_last4 is null))
);

comment on table public.tenant_ai_settings is 'One row per tenant that changed its AI settings (none = the deployment''s defaults): provider per task, disabled providers, token budget per report, and per-provider model, base URL and key. Keys are AES-256-GCM ciphertext made by the app (TECHSCANIQ_SECRETS_KEY) or an env variable name; only the service role can read the ciphertext.';
comment on column public.tenant_ai_settings.tenant_id is 'Tenant these settings belong to.';
comment on column public.tenant_ai_settings.task_providers is 'Per task (writeSection, verifyClaim, rewriteClaim, summarise, scoreThesis): the ordered provider ids to try, e.g. {"writeSection": ["openai", "offline"]}. Validated by the app; a task missing here uses the deployment''s route.';
comment on column public.tenant_ai_settings.disabled_providers is 'Providers this tenant never uses (e.g. no data to a given vendor): openai, anthropic, local, offline.';
comment on column public.tenant_ai_settings.report_token_budget is 'Input + output tokens one report may spend; null = the deployment''s budget.';
comment on column public.tenant_ai_settings.openai_model is 'OpenAI model name for this tenant; null = the deployment''s model.';
comment on column public.tenant_ai_settings.openai_base_url is 'OpenAI API base URL (a proxy or gateway); null = the official API. Checked against the private-address policy when saved.';
comment on column public.tenant_ai_settings.openai_key_ciphertext is 'The tenant''s OpenAI key, AES-256-GCM sealed by the app (v1.<iv>.<tag>.<ciphertext>, bound to tenant and provider). Not readable by authenticated users.';
comment on column public.tenant_ai_settings.openai_key_last4 is 'Last 4 characters of the stored OpenAI key, to tell keys apart; null when no key is stored.';
comment on column public.tenant_ai_settings.openai_key_env is 'Name of an operator-set environment variable (TECHSCANIQ_AI_KEY_…) holding the OpenAI key, instead of a stored key.';
comment on column public.tenant_ai_settings.anthropic_model is 'Anthropic model name for this tenant; null = the deployment''s model.';
comment on column public.tenant_ai_settings.anthropic_base_url is 'Anthropic API base URL; null = the official API. Checked against the private-address policy when saved.';
comment on column public.tenant_ai_settings.anthropic_key_ciphertext is 'The tenant''s Anthropic key, AES-256-GCM sealed by the app. Not readable by authenticated users.';
comment on column public.tenant_ai_settings.anthropic_key_last4 is 'Last 4 characters of the stored Anthropic key; null when no key is stored.';
comment on column public.tenant_ai_settings.anthropic_key_env is 'Name of an operator-set environment variable (TECHSCANIQ_AI_KEY_…) holding the Anthropic key.';
comment on column public.tenant_ai_settings.local_model is 'Model name on the tenant''s OpenAI-compatible server (vLLM, Ollama, LM Studio).';
comment on column public.tenant_ai_settings.local_base_url is 'Base URL of the tenant''s OpenAI-compatible server. Private addresses are refused unless the operator sets TECHSCANIQ_ALLOW_PRIVATE=1.';
comment on column public.tenant_ai_settings.local_key_ciphertext is 'Key for the OpenAI-compatible server, AES-256-GCM sealed by the app. Not readable by authenticated users.';
comment on column public.tenant_ai_settings.local_key_last4 is 'Last 4 characters of the stored key for the OpenAI-compatible server; null when none.';
comment on column public.tenant_ai_settings.local_key_env is 'Name of an operator-set environment variable (TECHSCANIQ_AI_KEY_…) holding the key for the OpenAI-compatible server.';
comment on column public.tenant_ai_settings.updated_by is 'User who last changed the settings; null for operators or a deleted user.';
comment on column public.tenant_ai_settings.updated_at is 'Last change of any column.';

create trigger tenant_ai_settings_set_updated_at before update on public.tenant_ai_settings
  for each row execute function private.set_updated_at();

-- ---------------------------------------------------------------- RLS
alter table public.tenant_ai_settings enable row level security;

revoke all on public.tenant_ai_settings from anon, authenticated;
grant all on public.tenant_ai_settings to service_role;
-- Ciphertext columns are writable but never readable by authenticated (not even by admins).
grant select (
  tenant_id, task_providers, disabled_providers, report_token_budget,
  openai_model, openai_base_url, openai_key_last4, openai_key_env,
  anthropic_model, anthropic_base_url, anthropic_key_last4, anthropic_key_env,
  local_model, local_base_url, local_key_last4, local_key_env,
  updated_by, updated_at
) on public.tenant_ai_settings to authenticated;
grant insert, update (
  tenant_id, task_providers, disabled_providers, report_token_budget,
  openai_model, openai_base_url, openai_key_ciphertext, openai_key_last4, openai_key_env,
  anthropic_model, anthropic_base_url, anthropic_key_ciphertext, anthropic_key_last4, anthropic_key_env,
  local_model, local_base_url, local_key_ciphertext, local_key_last4, local_key_env,
  updated_by
) on public.tenant_ai_settings to authenticated;

create policy "Owners and admins read their tenant's AI settings" on public.tenant_ai_settings
  for select to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin}'))::uuid[]));
create policy "Owners and admins create their tenant's AI settings" on public.tenant_ai_settings
  for insert to authenticated
  with check (
    tenant_id = any ((select private.tenant_ids('{owner,admin}'))::uuid[])
    and (updated_by is null or updated_by = (select auth.uid()))
  );
create policy "Owners and admins change their tenant's AI settings" on public.tenant_ai_settings
  for update to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin}'))::uuid[]))
  with check (
    tenant_id = any ((select private.tenant_ids('{owner,admin}'))::uuid[])
    and (updated_by is null or updated_by = (select auth.uid()))
  );

-- ---------------------------------------------------------------- redacted view for every member
create function public.tenant_ai_settings_redacted(target_tenant uuid)
returns table (
  tenant_id uuid,
  task_providers jsonb,
  disabled_providers text[],
  report_token_budget integer,
  openai_model text, openai_base_url text, openai_key_set boolean, openai_key_last4 text, openai_key_env text,
  anthropic_model text, anthropic_base_url text, anthropic_key_set boolean, anthropic_key_last4 text, anthropic_key_env text,
  local_model text, local_base_url text, local_key_set boolean, local_key_last4 text, local_key_env text,
  updated_by uuid,
  updated_at timestamptz
)
language sql
stable
security definer
set search_path = ''
as $$
  select s.tenant_id, s.task_providers, s.disabled_providers, s.report_token_budget,
         s.openai_model, s.openai_base_url, s.openai_key_ciphertext is not null, s.openai_key_last4, s.openai_key_env,
         s.anthropic_model, s.anthropic_base_url, s.anthropic_key_ciphertext is not null, s.anthropic_key_last4, s.anthropic_key_env,
         s.local_model, s.local_base_url, s.local_key_ciphertext is not null, s.local_key_last4, s.local_key_env,
         s.updated_by, s.updated_at
    from public.tenant_ai_settings s
   where s.tenant_id = target_tenant
     and private.has_tenant_role(target_tenant, '{owner,admin,member,viewer}')
$$;
comment on function public.tenant_ai_settings_redacted(uuid) is 'A tenant''s AI settings without key material (whether a key is stored, and its last 4 characters), for any member of that tenant; no row for non-members or when the tenant has no settings.';
revoke all on function public.tenant_ai_settings_redacted(uuid) from public, anon;
grant execute on function public.tenant_ai_settings_redacted(uuid) to authenticated, service_role;
