-- Agents: saved, versioned due-diligence work a tenant designs once and runs
-- many times. `agents` holds the editable draft; `agent_versions` the
-- immutable published specs; `agent_runs` every run (pinned to the version
-- it ran) and `agent_run_steps` what each run did, step by step (the exact
-- messages sent to a model and its answer, tool calls, approvals).
--
-- Members read all of it. Writers (owner, admin, member) create and edit
-- agents, publish versions and create runs; a run's job is queued through
-- private.enqueue_agent_run_job in the same transaction. Only the worker
-- (service role) advances a run and writes its steps; a member may ask to
-- cancel (cancel_requested_at) and decides approvals through
-- private.decide_agent_approval. The shapes of spec, input and steps are
-- the zod schemas in packages/contracts/src/agents.

create type public.agent_status as enum ('draft', 'published', 'paused', 'archived');
comment on type public.agent_status is 'draft (never published), published (runnable), paused (not run by schedules or events), archived (kept for its runs, not runnable).';
create type public.agent_run_status as enum (
  'queued', 'running', 'waiting_approval', 'succeeded', 'failed', 'cancelled', 'budget_exceeded');
comment on type public.agent_run_status is 'queued → running → (waiting_approval → queued →) succeeded | failed | cancelled | budget_exceeded.';
create type public.agent_run_trigger as enum ('manual', 'schedule', 'event', 'api');
comment on type public.agent_run_trigger is 'What started a run: a person in the app, a schedule, an event, or an API client.';
create type public.agent_step_kind as enum ('model_call', 'tool_call', 'approval');
comment on type public.agent_step_kind is 'model_call (messages sent and answer), tool_call (arguments and result summary), approval (request and decision).';

-- ---------------------------------------------------------------- agents
create table public.agents (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  name text not null check (char_length(btrim(name)) between 1 and 100),
  description text not null default '' check (char_length(description) <= 2000),
  status public.agent_status not null default 'draft',
  current_version integer check (current_version >= 1),
  draft_spec jsonb not null check (jsonb_typeof(draft_spec) = 'object'),
  created_by uuid references auth.users (id) on delete set null,
  updated_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, id),
  unique (tenant_id, name),
  check (status = 'draft' or current_version is not null)
);
comment on table public.agents is 'A saved research agent of a tenant: its editable draft spec and which published version runs.';
comment on column public.agents.id is 'Agent id.';
comment on column public.agents.tenant_id is 'Owning tenant; RLS limits every read and write to its members.';
comment on column public.agents.name is 'Name, unique in the tenant (1–100 characters).';
comment on column public.agents.description is 'What the agent is for (at most 2,000 characters).';
comment on column public.agents.status is 'draft, published, paused or archived.';
comment on column public.agents.current_version is 'The published version runs use; null while the agent is a draft never published.';
comment on column public.agents.draft_spec is 'The spec being edited (AgentSpec JSON, validated by the API); publishing copies it into agent_versions.';
comment on column public.agents.created_by is 'User who created the agent; null once that user is deleted.';
comment on column public.agents.updated_by is 'User who last changed the agent; null once that user is deleted.';
comment on column public.agents.created_at is 'When the agent was created.';
comment on column public.agents.updated_at is 'Last change of any column.';

create trigger agents_set_updated_at before update on public.agents
  for each row execute function private.set_updated_at();
create index agents_created_by_idx on public.agents (created_by);
create index agents_updated_by_idx on public.agents (updated_by);

-- ---------------------------------------------------------------- agent_versions
create table public.agent_versions (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  agent_id uuid not null,
  version integer not null check (version >= 1),
  spec jsonb not null check (jsonb_typeof(spec) = 'object'),
  template text check (char_length(template) <= 64),
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  unique (agent_id, version),
  unique (tenant_id, agent_id, version),
  foreign key (tenant_id, agent_id) references public.agents (tenant_id, id) on delete cascade
);
comment on table public.agent_versions is 'Immutable published specs of an agent: version 1, 2, … Never updated; removed only with their agent.';
comment on column public.agent_versions.id is 'Version id.';
comment on column public.agent_versions.tenant_id is 'Owning tenant (the agent''s), for RLS.';
comment on column public.agent_versions.agent_id is 'Agent this is a version of.';
comment on column public.agent_versions.version is 'Version number, 1, 2, … per agent.';
comment on column public.agent_versions.spec is 'The spec as published (AgentSpec JSON: instructions, input schema, tools, model route, outputs, autonomy, budget, plan).';
comment on column public.agent_versions.template is 'Template the agent was made from (e.g. stack-watch), if any.';
comment on column public.agent_versions.created_by is 'User who published the version; null once that user is deleted.';
comment on column public.agent_versions.created_at is 'When the version was published.';

create index agent_versions_created_by_idx on public.agent_versions (created_by);

create function private.agent_versions_immutable() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if tg_op = 'UPDATE' then
    raise exception 'agent versions are immutable: publish a new version instead of changing version % of agent %',
      old.version, old.agent_id using errcode = '55000';
  end if;
  if exists (select 1 from public.agents a where a.id = old.agent_id) then
    raise exception 'agent versions are immutable: delete the agent to remove version % of agent %',
      old.version, old.agent_id using errcode = '55000';
  end if;
  return old;
end;
$$;
comment on function private.agent_versions_immutable() is 'Refuses any change to a published agent version, and deleting one while its agent exists.';
revoke all on function private.agent_versions_immutable() from public;
create trigger agent_versions_immutable before update or delete on public.agent_versions
  for each row execute function private.agent_versions_immutable();

-- ---------------------------------------------------------------- agent_runs
create table public.agent_runs (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  agent_id uuid not null,
  agent_version integer not null,
  trigger public.agent_run_trigger not null default 'manual',
  input jsonb not null default '{}'::jsonb check (jsonb_typeof(input) = 'object'),
  status public.agent_run_status not null default 'queued',
  output jsonb check (output is null or jsonb_typeof(output) = 'object'),
  error_message text check (char_length(error_message) <= 2000),
  input_tokens integer not null default 0 check (input_tokens >= 0),
  output_tokens integer not null default 0 check (output_tokens >= 0),
  cost_usd numeric(12, 6) not null default 0 check (cost_usd >= 0),
  price_table_version text,
  retry_of uuid,
  cancel_requested_at timestamptz,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  started_at timestamptz,
  ended_at timestamptz,
  unique (tenant_id, id),
  -- (Versions never change, so `on update cascade` never fires; it keeps the tenant check of
  -- agent_versions' own key the one that answers when a version is re-pointed.)
  foreign key (tenant_id, agent_id, agent_version)
    references public.agent_versions (tenant_id, agent_id, version) on delete cascade on update cascade,
  foreign key (tenant_id, retry_of) references public.agent_runs (tenant_id, id) on delete set null (retry_of),
  check ((status in ('succeeded', 'failed', 'cancelled', 'budget_exceeded')) = (ended_at is not null))
);
comment on table public.agent_runs is 'One run of an agent, pinned to the version it ran: trigger, input, status, tokens and cost, output. Created through the API; advanced by the worker''s agent.run job.';
comment on column public.agent_runs.id is 'Run id; also the graphile-worker job key suffix (agent_run:<id>) and the LangGraph checkpoint thread.';
comment on column public.agent_runs.tenant_id is 'Owning tenant (the agent''s), for RLS.';
comment on column public.agent_runs.agent_id is 'Agent that ran.';
comment on column public.agent_runs.agent_version is 'Published version of the agent that ran (a retry runs the same version).';
comment on column public.agent_runs.trigger is 'manual, schedule, event or api.';
comment on column public.agent_runs.input is 'Run input, valid against the version''s input schema.';
comment on column public.agent_runs.status is 'queued, running, waiting_approval, succeeded, failed, cancelled or budget_exceeded.';
comment on column public.agent_runs.output is 'What the run produced: summary, tool results, proposed actions (JSON); null until it ends.';
comment on column public.agent_runs.error_message is 'Why the run failed; null otherwise.';
comment on column public.agent_runs.input_tokens is 'Model input tokens used by all steps.';
comment on column public.agent_runs.output_tokens is 'Model output tokens used by all steps.';
comment on column public.agent_runs.cost_usd is 'Estimated cost in USD of all steps, from the price table.';
comment on column public.agent_runs.price_table_version is 'Which price table cost_usd was computed with.';
comment on column public.agent_runs.retry_of is 'The run this one retries (same version and input); null for a first run.';
comment on column public.agent_runs.cancel_requested_at is 'Set when a member asks to cancel; the worker aborts the step in flight and ends the run cancelled.';
comment on column public.agent_runs.created_by is 'User (or API key owner) who started the run; null for schedules and events.';
comment on column public.agent_runs.created_at is 'When the run was requested.';
comment on column public.agent_runs.updated_at is 'Last change of any column.';
comment on column public.agent_runs.started_at is 'When a worker first started the run.';
comment on column public.agent_runs.ended_at is 'When the run reached succeeded, failed, cancelled or budget_exceeded.';

create trigger agent_runs_set_updated_at before update on public.agent_runs
  for each row execute function private.set_updated_at();
create index agent_runs_tenant_created_idx on public.agent_runs (tenant_id, created_at desc, id desc);
create index agent_runs_agent_created_idx on public.agent_runs (agent_id, created_at desc);
create index agent_runs_version_idx on public.agent_runs (tenant_id, agent_id, agent_version);
create index agent_runs_retry_of_idx on public.agent_runs (tenant_id, retry_of);
create index agent_runs_created_by_idx on public.agent_runs (created_by);

-- ---------------------------------------------------------------- agent_run_steps
create table public.agent_run_steps (
  id bigint generated always as identity primary key,
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  run_id uuid not null,
  seq integer not null check (seq >= 1),
  kind public.agent_step_kind not null,
  name text not null check (char_length(name) between 1 and 200),
  request jsonb not null default '{}'::jsonb,
  response jsonb,
  status text not null default 'running'
    check (status in ('running', 'ok', 'error', 'cancelled', 'waiting', 'approved', 'rejected')),
  error_message text check (char_length(error_message) <= 2000),
  input_tokens integer not null default 0 check (input_tokens >= 0),
  output_tokens integer not null default 0 check (output_tokens >= 0),
  cost_usd numeric(12, 6) not null default 0 check (cost_usd >= 0),
  decided_by uuid references auth.users (id) on delete set null,
  decided_at timestamptz,
  decision_note text check (char_length(decision_note) <= 2000),
  started_at timestamptz not null default now(),
  ended_at timestamptz,
  unique (run_id, seq),
  foreign key (tenant_id, run_id) references public.agent_runs (tenant_id, id) on delete cascade
);
comment on table public.agent_run_steps is 'What a run did, in order: each model call (the exact messages sent and the answer), tool call (arguments and result summary) and approval (request and decision), with timing, tokens and cost. Written by the worker.';
comment on column public.agent_run_steps.id is 'Row id.';
comment on column public.agent_run_steps.tenant_id is 'Owning tenant (the run''s), for RLS.';
comment on column public.agent_run_steps.run_id is 'Run the step belongs to.';
comment on column public.agent_run_steps.seq is 'Position in the run, 1, 2, …';
comment on column public.agent_run_steps.kind is 'model_call, tool_call or approval.';
comment on column public.agent_run_steps.name is 'Tool name for tool calls and approvals; provider/model for model calls.';
comment on column public.agent_run_steps.request is 'Model call: the exact messages and tools sent. Tool call: the arguments. Approval: the proposed action.';
comment on column public.agent_run_steps.response is 'Model call: the answer. Tool call: a summary of the result. Approval: the decision. Null while running.';
comment on column public.agent_run_steps.status is 'running, ok, error, cancelled; for approvals waiting, approved or rejected.';
comment on column public.agent_run_steps.error_message is 'Why the step failed; null otherwise.';
comment on column public.agent_run_steps.input_tokens is 'Model input tokens of the step (0 for tools).';
comment on column public.agent_run_steps.output_tokens is 'Model output tokens of the step (0 for tools).';
comment on column public.agent_run_steps.cost_usd is 'Estimated cost in USD of the step.';
comment on column public.agent_run_steps.decided_by is 'Member who approved or rejected (approval steps); null otherwise.';
comment on column public.agent_run_steps.decided_at is 'When the approval was decided.';
comment on column public.agent_run_steps.decision_note is 'The member''s note with the decision, if any.';
comment on column public.agent_run_steps.started_at is 'When the step started.';
comment on column public.agent_run_steps.ended_at is 'When the step ended; null while it runs or waits.';

create index agent_run_steps_tenant_id_idx on public.agent_run_steps (tenant_id, run_id);
create index agent_run_steps_decided_by_idx on public.agent_run_steps (decided_by);

-- ---------------------------------------------------------------- RLS
alter table public.agents enable row level security;
alter table public.agent_versions enable row level security;
alter table public.agent_runs enable row level security;
alter table public.agent_run_steps enable row level security;

revoke all on public.agents, public.agent_versions, public.agent_runs, public.agent_run_steps from anon, authenticated;
grant select, insert, delete, update (name, description, status, current_version, draft_spec, updated_by)
  on public.agents to authenticated;
grant select, insert on public.agent_versions to authenticated;
grant select, insert, update (cancel_requested_at) on public.agent_runs to authenticated;
grant select on public.agent_run_steps to authenticated;
grant all on public.agents, public.agent_versions, public.agent_runs, public.agent_run_steps to service_role;

create policy "Members read their tenants' agents" on public.agents
  for select to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin,member,viewer}'))::uuid[]));
create policy "Writers create agents in their tenants" on public.agents
  for insert to authenticated
  with check (
    tenant_id = any ((select private.tenant_ids('{owner,admin,member}'))::uuid[])
    and (created_by is null or created_by = (select auth.uid()))
  );
create policy "Writers change their tenants' agents" on public.agents
  for update to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin,member}'))::uuid[]))
  with check (
    tenant_id = any ((select private.tenant_ids('{owner,admin,member}'))::uuid[])
    and (updated_by is null or updated_by = (select auth.uid()))
  );
create policy "Writers delete their tenants' agents" on public.agents
  for delete to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin,member}'))::uuid[]));

create policy "Members read their tenants' agent versions" on public.agent_versions
  for select to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin,member,viewer}'))::uuid[]));
create policy "Writers publish agent versions in their tenants" on public.agent_versions
  for insert to authenticated
  with check (
    tenant_id = any ((select private.tenant_ids('{owner,admin,member}'))::uuid[])
    and (created_by is null or created_by = (select auth.uid()))
  );

create policy "Members read their tenants' agent runs" on public.agent_runs
  for select to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin,member,viewer}'))::uuid[]));
-- A request creates a run only as queued and unstarted; everything after is the worker's.
create policy "Writers start agent runs in their tenants" on public.agent_runs
  for insert to authenticated
  with check (
    tenant_id = any ((select private.tenant_ids('{owner,admin,member}'))::uuid[])
    and (created_by is null or created_by = (select auth.uid()))
    and status = 'queued' and output is null and started_at is null and ended_at is null
    and input_tokens = 0 and output_tokens = 0 and cost_usd = 0 and cancel_requested_at is null
  );
create policy "Writers cancel their tenants' agent runs" on public.agent_runs
  for update to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin,member}'))::uuid[]))
  with check (tenant_id = any ((select private.tenant_ids('{owner,admin,member}'))::uuid[]));

create policy "Members read their tenants' agent run steps" on public.agent_run_steps
  for select to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin,member,viewer}'))::uuid[]));

-- ---------------------------------------------------------------- job queueing
-- The API queues a run's job in the transaction that writes the run, as the
-- requesting member: the one narrow door into graphile_worker's schema for
-- agent work, always under the run's job key (a second queue replaces).
create function private.enqueue_agent_run_job(target_run uuid)
returns void
language plpgsql security definer set search_path = '' as $$
declare
  run_tenant uuid;
begin
  select r.tenant_id into run_tenant from public.agent_runs r where r.id = target_run;
  if run_tenant is null then
    raise exception 'agent run % does not exist', target_run using errcode = 'P0002';
  end if;
  if not private.is_trusted_writer() and not private.has_tenant_role(run_tenant, '{owner,admin,member}') then
    raise exception 'not allowed to queue agent run %', target_run using errcode = '42501';
  end if;
  if to_regprocedure('graphile_worker.add_job(text, json, text, timestamptz, integer, text, integer, text[], text)') is null then
    return; -- no worker has installed its schema yet; the worker picks up queued runs at start
  end if;
  perform graphile_worker.add_job(
    identifier := 'agent.run',
    payload := json_build_object('runId', target_run),
    max_attempts := 5,
    job_key := 'agent_run:' || target_run::text,
    job_key_mode := 'replace'
  );
end;
$$;
comment on function private.enqueue_agent_run_job(uuid) is 'Queues the agent.run graphile-worker job of a run under job key agent_run:<id> (replaces, never duplicates). Callable by writers of the run''s tenant and the service role.';
revoke all on function private.enqueue_agent_run_job(uuid) from public;
grant execute on function private.enqueue_agent_run_job(uuid) to authenticated, service_role;

-- A member approves or rejects the action a waiting run proposed. The decision
-- is recorded on the approval step and the run is queued again: the worker
-- resumes it from its checkpoint and reads the decision.
create function private.decide_agent_approval(target_run uuid, approve boolean, note text default null)
returns void
language plpgsql security definer set search_path = '' as $$
declare
  run public.agent_runs;
  step_id bigint;
begin
  select * into run from public.agent_runs r where r.id = target_run for update;
  if run.id is null then
    raise exception 'agent run % does not exist', target_run using errcode = 'P0002';
  end if;
  if not private.is_trusted_writer() and not private.has_tenant_role(run.tenant_id, '{owner,admin,member}') then
    raise exception 'not allowed to decide approvals of agent run %', target_run using errcode = '42501';
  end if;
  if run.status <> 'waiting_approval' then
    raise exception 'agent run % is %, not waiting for approval', target_run, run.status using errcode = '55000';
  end if;
  select s.id into step_id from public.agent_run_steps s
   where s.run_id = target_run and s.kind = 'approval' and s.status = 'waiting'
   order by s.seq desc limit 1;
  if step_id is null then
    raise exception 'agent run % has no approval waiting', target_run using errcode = '55000';
  end if;
  update public.agent_run_steps
     set status = case when approve then 'approved' else 'rejected' end,
         response = jsonb_build_object('approved', approve, 'note', note),
         decided_by = auth.uid(), decided_at = now(), decision_note = note, ended_at = now()
   where id = step_id;
  update public.agent_runs set status = 'queued' where id = target_run;
  perform private.enqueue_agent_run_job(target_run);
end;
$$;
comment on function private.decide_agent_approval(uuid, boolean, text) is 'Records a member''s approval or rejection of the action a waiting agent run proposed, and queues the run to resume from its checkpoint.';
revoke all on function private.decide_agent_approval(uuid, boolean, text) from public;
grant execute on function private.decide_agent_approval(uuid, boolean, text) to authenticated, service_role;

-- The version an agent runs must be one of its own published versions. (A
-- trigger, not a foreign key: agents and agent_versions would reference each
-- other, and the key would include agents.id.)
create function private.agents_current_version_published() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if new.current_version is not null and not exists (
    select 1 from public.agent_versions v
     where v.agent_id = new.id and v.tenant_id = new.tenant_id and v.version = new.current_version
  ) then
    raise exception 'agent % has no published version %', new.id, new.current_version using errcode = '23503';
  end if;
  return new;
end;
$$;
comment on function private.agents_current_version_published() is 'Refuses an agents.current_version that is not one of the agent''s own published versions.';
revoke all on function private.agents_current_version_published() from public;
create trigger agents_current_version_published before insert or update of current_version on public.agents
  for each row execute function private.agents_current_version_published();
