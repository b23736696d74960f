-- The design wizard's sessions: what a person described and each step's output (analysis, interactions,
-- compiled specs), so they can come back to it. The API writes a step's output only once it validates.

create table public.design_sessions (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  title text not null check (char_length(btrim(title)) between 1 and 200),
  source text not null check (source in ('text', 'model')),
  source_name text check (char_length(source_name) <= 255),
  requirements text not null default '' check (char_length(requirements) <= 20000),
  analysis jsonb not null check (jsonb_typeof(analysis) = 'object'),
  interactions jsonb check (jsonb_typeof(interactions) = 'array'),
  compiled jsonb check (jsonb_typeof(compiled) = 'array'),
  created_agent_ids uuid[] not null default '{}',
  created_by uuid references auth.users (id) on delete set null,
  updated_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.design_sessions is 'A design wizard session of a tenant: the requirements and each step''s validated output, so a person can come back to it.';
comment on column public.design_sessions.id is 'Session id.';
comment on column public.design_sessions.tenant_id is 'Owning tenant; RLS limits every read and write to its members.';
comment on column public.design_sessions.title is 'A short title shown in the list of sessions (1–200 characters).';
comment on column public.design_sessions.source is 'What the analysis started from: text (requirements in prose) or model (a capability model file).';
comment on column public.design_sessions.source_name is 'The capability model''s file name; null for text.';
comment on column public.design_sessions.requirements is 'The requirements in prose (at most 20,000 characters); empty for a model file.';
comment on column public.design_sessions.analysis is 'Step 1 output: capabilities, proposed agents and relations (DesignAnalysis JSON), as last edited.';
comment on column public.design_sessions.interactions is 'Step 2 output: hand-offs between the proposed agents with message JSON Schemas; null until generated.';
comment on column public.design_sessions.compiled is 'Step 3 output: agent specs that passed AgentSpec validation; null until compiled. Never half-valid.';
comment on column public.design_sessions.created_agent_ids is 'Agents created from this session''s compiled specs (ids only: an agent deleted later stays listed).';
comment on column public.design_sessions.created_by is 'User who started the session; null once that user is deleted.';
comment on column public.design_sessions.updated_by is 'User who last changed the session; null once that user is deleted.';
comment on column public.design_sessions.created_at is 'When the session was started.';
comment on column public.design_sessions.updated_at is 'Last change of any column.';

create trigger design_sessions_set_updated_at before update on public.design_sessions
  for each row execute function private.set_updated_at();
create index design_sessions_tenant_updated_idx on public.design_sessions (tenant_id, updated_at desc);
create index design_sessions_created_by_idx on public.design_sessions (created_by);
create index design_sessions_updated_by_idx on public.design_sessions (updated_by);

alter table public.design_sessions enable row level security;
revoke all on public.design_sessions from anon, authenticated;
grant select, insert, delete, update (title, analysis, interactions, compiled, created_agent_ids, updated_by)
  on public.design_sessions to authenticated;
grant all on public.design_sessions to service_role;

create policy "Members read their tenants' design sessions" on public.design_sessions
  for select to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin,member,viewer}'))::uuid[]));
create policy "Writers start design sessions in their tenants" on public.design_sessions
  for insert to authenticated
  with check (
    tenant_id = any ((select private.tenant_ids('{owner,admin,member}'))::uuid[])
    and (created_by is null or created_by = (select auth.uid()))
  );
create policy "Writers change their tenants' design sessions" on public.design_sessions
  for update to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin,member}'))::uuid[]))
  with check (
    tenant_id = any ((select private.tenant_ids('{owner,admin,member}'))::uuid[])
    and (updated_by is null or updated_by = (select auth.uid()))
  );
create policy "Writers delete their tenants' design sessions" on public.design_sessions
  for delete to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin,member}'))::uuid[]));
