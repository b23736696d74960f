-- Agent schedules: many per agent, each a 5-field cron expression in an IANA
-- time zone. The worker's agent.schedule_tick job (graphile-worker crontab,
-- every minute) reads the enabled schedules whose next_run_at has come, and
-- turns every slot since into a run of the agent's current version:
-- queued (backfilled when it is not the current minute's slot and within the
-- catch-up window), skipped (overlap policy) or missed (outside the window).
-- A slot is unique per schedule on agent_runs, so two ticking workers create
-- one run; its job key is sched:<schedule id>:<slot ISO>.
--
-- While the agent is not published (paused, draft, archived) or the schedule
-- is disabled, the tick passes the slots by without rows: pausing is the
-- record; only slots lost to a worker that did not tick are recorded missed.
--
-- Members read schedules; writers create, change and delete them. The cron,
-- zone, input and next_run_at are checked and computed by the API (the cron
-- parser lives in TypeScript); the tick only trusts what it can recompute.

create type public.agent_schedule_overlap as enum ('skip', 'buffer_one', 'allow');
comment on type public.agent_schedule_overlap is 'When a slot comes while a run of the same schedule is queued or running: skip (record a skipped run), buffer_one (queue one behind it, skip further slots), allow (run side by side).';

create table public.agent_schedules (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  agent_id uuid not null,
  cron text not null check (char_length(cron) between 9 and 200),
  timezone text not null check (char_length(timezone) between 1 and 64),
  enabled boolean not null default true,
  starts_at timestamptz,
  ends_at timestamptz,
  input jsonb not null default '{}'::jsonb check (jsonb_typeof(input) = 'object'),
  overlap public.agent_schedule_overlap not null default 'skip',
  catch_up_seconds integer not null default 0 check (catch_up_seconds between 0 and 86400),
  next_run_at timestamptz,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, id),
  foreign key (tenant_id, agent_id) references public.agents (tenant_id, id) on delete cascade,
  check (ends_at is null or starts_at is null or ends_at > starts_at)
);
comment on table public.agent_schedules is 'When an agent runs by itself: a cron expression in a time zone, with the run''s input, an overlap policy and a catch-up window. The worker''s agent.schedule_tick turns due slots into agent_runs.';
comment on column public.agent_schedules.id is 'Schedule id; part of the job key sched:<id>:<slot> of its runs.';
comment on column public.agent_schedules.tenant_id is 'Owning tenant (the agent''s), for RLS.';
comment on column public.agent_schedules.agent_id is 'Agent the schedule runs (its current published version at each slot).';
comment on column public.agent_schedules.cron is '5-field cron expression (minute hour day-of-month month day-of-week), checked by the API.';
comment on column public.agent_schedules.timezone is 'IANA time zone the cron expression is read in (e.g. Europe/Amsterdam); DST-aware.';
comment on column public.agent_schedules.enabled is 'False: the schedule runs nothing and its slots are passed by without rows.';
comment on column public.agent_schedules.starts_at is 'No slot before this instant; null: from creation.';
comment on column public.agent_schedules.ends_at is 'No slot after this instant; null: no end.';
comment on column public.agent_schedules.input is 'Input of every run (valid against the agent''s input schema when saved).';
comment on column public.agent_schedules.overlap is 'skip, buffer_one or allow: what a slot does while a run of this schedule is queued or running.';
comment on column public.agent_schedules.catch_up_seconds is 'Catch-up window in seconds (0 to 1 day): a late slot younger than this still runs (backfilled); older ones are recorded missed.';
comment on column public.agent_schedules.next_run_at is 'The first slot not yet handled; the tick takes schedules whose next_run_at has come. Null: no slot left (after ends_at).';
comment on column public.agent_schedules.created_by is 'User who created the schedule; null once that user is deleted.';
comment on column public.agent_schedules.created_at is 'When the schedule was created.';
comment on column public.agent_schedules.updated_at is 'Last change of any column.';

create trigger agent_schedules_set_updated_at before update on public.agent_schedules
  for each row execute function private.set_updated_at();
create index agent_schedules_due_idx on public.agent_schedules (next_run_at) where enabled;
create index agent_schedules_agent_idx on public.agent_schedules (tenant_id, agent_id);
create index agent_schedules_created_by_idx on public.agent_schedules (created_by);

alter table public.agent_schedules enable row level security;
revoke all on public.agent_schedules from anon, authenticated;
grant select, insert, delete,
  update (cron, timezone, enabled, starts_at, ends_at, input, overlap, catch_up_seconds, next_run_at)
  on public.agent_schedules to authenticated;
grant all on public.agent_schedules to service_role;

create policy "Members read their tenants' agent schedules" on public.agent_schedules
  for select to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin,member,viewer}'))::uuid[]));
create policy "Writers create agent schedules in their tenants" on public.agent_schedules
  for insert to authenticated
  with check (
    tenant_id = any ((select private.tenant_ids('{owner,admin,member}'))::uuid[])
    and (created_by is null or created_by = (select auth.uid()))
  );
create policy "Writers change their tenants' agent schedules" on public.agent_schedules
  for update to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin,member}'))::uuid[]))
  with check (tenant_id = any ((select private.tenant_ids('{owner,admin,member}'))::uuid[]));
create policy "Writers delete their tenants' agent schedules" on public.agent_schedules
  for delete to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin,member}'))::uuid[]));

-- ---------------------------------------------------------------- runs of a schedule's slots
alter table public.agent_runs
  add column schedule_id uuid,
  add column slot_at timestamptz,
  add column backfilled boolean not null default false,
  add column skip_reason text check (char_length(skip_reason) <= 500),
  add constraint agent_runs_schedule_id_fkey foreign key (tenant_id, schedule_id)
    references public.agent_schedules (tenant_id, id) on delete set null (schedule_id),
  -- One run per slot of a schedule: two workers ticking the same minute create one.
  add constraint agent_runs_schedule_slot_key unique (schedule_id, slot_at),
  add constraint agent_runs_schedule_slot_check check (schedule_id is null or slot_at is not null),
  add constraint agent_runs_reason_when_not_run_check
    check ((status in ('skipped', 'missed')) = (skip_reason is not null));
-- Skipped and missed runs end as they are written.
alter table public.agent_runs drop constraint agent_runs_check;
alter table public.agent_runs add constraint agent_runs_ended_check check (
  (status in ('succeeded', 'failed', 'cancelled', 'budget_exceeded', 'skipped', 'missed')) = (ended_at is not null));

comment on column public.agent_runs.schedule_id is 'Schedule whose slot this run is (trigger schedule); null otherwise and once the schedule is deleted.';
comment on column public.agent_runs.slot_at is 'The schedule slot (instant) this run is for; kept when the schedule is deleted.';
comment on column public.agent_runs.backfilled is 'True for a slot run late, after downtime, within the schedule''s catch-up window.';
comment on column public.agent_runs.skip_reason is 'Why a skipped or missed run did not run (e.g. overlap, or the downtime beyond the catch-up window); null for every other status.';
comment on column public.agent_runs.status is 'queued, running, waiting_approval, succeeded, failed, cancelled or budget_exceeded; skipped or missed for a schedule slot that did not run.';

create index agent_runs_schedule_active_idx on public.agent_runs (schedule_id)
  where status in ('queued', 'running', 'waiting_approval');

-- Slots are the worker's: a request's run is never a schedule's (it could block a future slot).
create function private.agent_runs_schedule_columns_trusted() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if not private.is_trusted_writer()
     and (new.schedule_id is not null or new.slot_at is not null or new.backfilled or new.skip_reason is not null
          or new.trigger = 'schedule') then
    raise exception 'schedule runs are created by the worker''s tick only' using errcode = '42501';
  end if;
  return new;
end;
$$;
comment on function private.agent_runs_schedule_columns_trusted() is 'Refuses a request''s run that claims a schedule, slot, backfill or skip reason (or trigger schedule): only the worker''s tick writes those.';
revoke all on function private.agent_runs_schedule_columns_trusted() from public;
create trigger agent_runs_schedule_columns_trusted before insert on public.agent_runs
  for each row execute function private.agent_runs_schedule_columns_trusted();
