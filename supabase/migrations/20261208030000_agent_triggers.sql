-- Event triggers: an agent runs when a domain event of its own tenant happens
-- (a scan completed or failed, a report version was written, a watchlist saw a
-- change, another agent's run ended), if the event's data passes the trigger's
-- filter; the event's values fill the run's input.
--
-- Dispatch is transactional: a row trigger on `events` queues one
-- `agent.trigger_event` job per enabled trigger of the event's tenant and type,
-- job key evt:<triggerId>:<eventId>, in the transaction that writes the event
-- (no cursor over event ids, which concurrent commits would skip). The worker
-- evaluates the filter and starts the run; the unique (trigger_id, event_id)
-- row of agent_trigger_firings makes a second delivery start nothing.
--
-- Only events written by the worker (service role) trigger agents: a request
-- can emit few events and none that triggers, and finding.* is the worker's
-- alone, so no member (a viewer least of all) starts runs by forging events.

create table public.agent_triggers (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  agent_id uuid not null,
  event_type text not null check (event_type in (
    'scan.completed', 'scan.failed', 'report.version_created', 'report.failed', 'finding.changed',
    'agent_run.succeeded', 'agent_run.failed', 'agent_run.cancelled', 'agent_run.budget_exceeded')),
  filter jsonb not null default '[]'::jsonb check (jsonb_typeof(filter) = 'array'),
  input jsonb not null default '{}'::jsonb check (jsonb_typeof(input) = 'object'),
  input_map jsonb not null default '{}'::jsonb check (jsonb_typeof(input_map) = 'object'),
  enabled boolean not null default true,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, id),
  foreign key (tenant_id, agent_id) references public.agents (tenant_id, id) on delete cascade
);
comment on table public.agent_triggers is 'Starts an agent when an event of its tenant and type happens and its data passes the filter (TriggerFilter in packages/contracts/src/agents/triggers.ts).';
comment on column public.agent_triggers.id is 'Trigger id; also in the job key evt:<triggerId>:<eventId>.';
comment on column public.agent_triggers.tenant_id is 'Owning tenant (the agent''s); only this tenant''s events fire the trigger.';
comment on column public.agent_triggers.agent_id is 'Agent to run.';
comment on column public.agent_triggers.event_type is 'Event type that fires the trigger: scan.completed, scan.failed, report.version_created, report.failed, finding.changed or an agent run outcome (agent_run.succeeded, .failed, .cancelled, .budget_exceeded).';
comment on column public.agent_triggers.filter is 'Conditions on the event, all of which must hold: [{path, op: eq|in, value}], path dotted from the event (data.status, subject).';
comment on column public.agent_triggers.input is 'Fixed part of the run''s input.';
comment on column public.agent_triggers.input_map is 'Input fields taken from the event: {field: dotted event path}, e.g. {"scanId": "data.scanId"}; they override input.';
comment on column public.agent_triggers.enabled is 'A disabled trigger starts nothing.';
comment on column public.agent_triggers.created_by is 'User who created the trigger; null once that user is deleted.';
comment on column public.agent_triggers.created_at is 'When the trigger was created.';
comment on column public.agent_triggers.updated_at is 'Last change of any column.';

create trigger agent_triggers_set_updated_at before update on public.agent_triggers
  for each row execute function private.set_updated_at();
create index agent_triggers_agent_idx on public.agent_triggers (tenant_id, agent_id);
create index agent_triggers_dispatch_idx on public.agent_triggers (tenant_id, event_type) where enabled;
create index agent_triggers_created_by_idx on public.agent_triggers (created_by);

-- ---------------------------------------------------------------- runs record their event
alter table public.agent_runs add column trigger_event_id bigint;
comment on column public.agent_runs.trigger_event_id is 'The event (events.id) that started the run, for runs triggered by an event; null otherwise.';

-- ---------------------------------------------------------------- firings
create table public.agent_trigger_firings (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  trigger_id uuid not null,
  event_id bigint not null,
  run_id uuid,
  depth integer not null default 1 check (depth >= 1),
  skipped_reason text check (char_length(skipped_reason) <= 500),
  created_at timestamptz not null default now(),
  unique (trigger_id, event_id),
  check ((run_id is null) <> (skipped_reason is null)),
  foreign key (tenant_id, trigger_id) references public.agent_triggers (tenant_id, id) on delete cascade,
  foreign key (tenant_id, run_id) references public.agent_runs (tenant_id, id) on delete cascade
);
comment on table public.agent_trigger_firings is 'Each event a trigger acted on, once: the run it started, or why it started none. Unique on (trigger, event), so a redelivered event starts nothing. Written by the worker.';
comment on column public.agent_trigger_firings.id is 'Row id.';
comment on column public.agent_trigger_firings.tenant_id is 'Owning tenant (the trigger''s), for RLS.';
comment on column public.agent_trigger_firings.trigger_id is 'Trigger that fired.';
comment on column public.agent_trigger_firings.event_id is 'Event (events.id) it fired on.';
comment on column public.agent_trigger_firings.run_id is 'Run it started; null when it started none.';
comment on column public.agent_trigger_firings.depth is 'Length of the chain of triggered runs that led here: 1 for an event no triggered run caused; runs deeper than the limit are not started.';
comment on column public.agent_trigger_firings.skipped_reason is 'Why no run started (agent not published, input invalid, the agent''s own run caused the event, chain too deep); null when one did.';
comment on column public.agent_trigger_firings.created_at is 'When the trigger fired.';

create index agent_trigger_firings_run_idx on public.agent_trigger_firings (tenant_id, run_id);
create index agent_trigger_firings_tenant_idx on public.agent_trigger_firings (tenant_id, created_at desc);
-- The loop guard finds the run whose scan_url step started a scan.
create index agent_run_steps_scan_id_idx on public.agent_run_steps (tenant_id, (response ->> 'scanId'))
  where kind = 'tool_call';

-- ---------------------------------------------------------------- RLS
alter table public.agent_triggers enable row level security;
alter table public.agent_trigger_firings enable row level security;
revoke all on public.agent_triggers, public.agent_trigger_firings from anon, authenticated;
grant select, insert, delete, update (event_type, filter, input, input_map, enabled)
  on public.agent_triggers to authenticated;
grant select on public.agent_trigger_firings to authenticated;
grant all on public.agent_triggers, public.agent_trigger_firings to service_role;

create policy "Members read their tenants' agent triggers" on public.agent_triggers
  for select to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin,member,viewer}'))::uuid[]));
create policy "Writers create agent triggers in their tenants" on public.agent_triggers
  for insert to authenticated
  with check (
    tenant_id = any ((select private.tenant_ids('{owner,admin,member}'))::uuid[])
    and (created_by is null or created_by = (select auth.uid()))
  );
create policy "Writers change their tenants' agent triggers" on public.agent_triggers
  for update to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin,member}'))::uuid[]))
  with check (tenant_id = any ((select private.tenant_ids('{owner,admin,member}'))::uuid[]));
create policy "Writers delete their tenants' agent triggers" on public.agent_triggers
  for delete to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin,member}'))::uuid[]));
create policy "Members read their tenants' trigger firings" on public.agent_trigger_firings
  for select to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin,member,viewer}'))::uuid[]));

-- ---------------------------------------------------------------- dispatch
create function private.queue_agent_triggers() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if new.type like 'finding.%' and not private.is_trusted_writer() then
    raise exception 'finding events are written by the worker only' using errcode = 'insufficient_privilege';
  end if;
  if new.tenant_id is null or not private.is_trusted_writer()
     or to_regprocedure('graphile_worker.add_job(text, json, text, timestamptz, integer, text, integer, text[], text)') is null then
    return null;
  end if;
  perform graphile_worker.add_job(
    identifier := 'agent.trigger_event',
    payload := json_build_object('triggerId', t.id, 'eventId', new.id),
    max_attempts := 5,
    job_key := 'evt:' || t.id::text || ':' || new.id::text,
    job_key_mode := 'preserve_run_at'
  )
  from public.agent_triggers t
  where t.tenant_id = new.tenant_id and t.event_type = new.type and t.enabled;
  return null;
end;
$$;
comment on function private.queue_agent_triggers() is 'After an event is written by the worker: queues agent.trigger_event for each enabled trigger of its tenant and type (job key evt:<triggerId>:<eventId>). Refuses finding.* events from requests.';
revoke all on function private.queue_agent_triggers() from public;
-- Only the event types a trigger may name (and forged finding.*) reach the function: progress
-- events, the most frequent, skip it.
create trigger events_queue_agent_triggers after insert on public.events
  for each row when (new.type like 'finding.%' or new.type in (
    'scan.completed', 'scan.failed', 'report.version_created', 'report.failed',
    'agent_run.succeeded', 'agent_run.failed', 'agent_run.cancelled', 'agent_run.budget_exceeded'))
  execute function private.queue_agent_triggers();
