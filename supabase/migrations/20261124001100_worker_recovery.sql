-- Crash recovery for graphile-worker: which job-runner ids belong to which
-- worker process, so jobs locked by a process whose heartbeat went stale
-- (killed, lost machine) are unlocked within seconds instead of 4 hours.

create table public.worker_job_runners (
  runner_id text primary key,
  worker_id text not null references public.worker_heartbeats (worker_id) on delete cascade,
  created_at timestamptz not null default now()
);
comment on table public.worker_job_runners is 'graphile-worker runner ids (the jobs'' locked_by) of each live worker process; a stale heartbeat means their locked jobs can be released. Service role only.';
comment on column public.worker_job_runners.runner_id is 'graphile-worker''s id for one concurrent job runner, as written to locked_by.';
comment on column public.worker_job_runners.worker_id is 'The worker process (worker_heartbeats) the runner lives in.';
comment on column public.worker_job_runners.created_at is 'When the runner started.';

create index worker_job_runners_worker_id_idx on public.worker_job_runners (worker_id);

alter table public.worker_job_runners enable row level security;
revoke all on public.worker_job_runners from anon, authenticated;
grant all on public.worker_job_runners to service_role;
create policy worker_job_runners_service on public.worker_job_runners for all to service_role
  using (true) with check (true);
