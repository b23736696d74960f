-- Agent tools run as the tenant through RLS. A run started by a schedule or an event has no user, so
-- the worker runs its tools as `agent_runner`: a NOLOGIN role scoped by two transaction settings,
-- app.tenant_id and app.agent_run_id (withTenantAgentTx in @techscaniq/db). It acts as a writer of
-- exactly that run's tenant, and of nothing while the run named is not one of that tenant's.
--
-- Only the connecting role (the worker's, the migration's) may `set role agent_runner`: it is never
-- granted to anon, authenticated or authenticator, so PostgREST cannot switch to it for any JWT.
-- The run's bookkeeping (status, steps, checkpoints, usage) stays with the worker's service role.

do $$
begin
  if not exists (select 1 from pg_catalog.pg_roles where rolname = 'agent_runner') then
    create role agent_runner nologin noinherit;
  end if;
end
$$;
comment on role agent_runner is 'TechScanIQ agent tools: reads and writes one tenant''s scans, findings, evidence and reports through RLS, scoped by app.tenant_id and app.agent_run_id. NOLOGIN; granted only to the connecting role, never to anon, authenticated or authenticator.';
grant agent_runner to current_user;
grant usage on schema private to agent_runner;

-- ------------------------------------------------------------------ scope helpers
create function private.agent_runner_tenant() returns uuid
language sql stable security definer set search_path = '' as $$
  select r.tenant_id
    from public.agent_runs r
   where current_setting('role', true) = 'agent_runner'
     and r.id = nullif(current_setting('app.agent_run_id', true), '')::uuid
     and r.tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid
$$;
comment on function private.agent_runner_tenant() is 'As agent_runner: the tenant of the run named by app.agent_run_id when app.tenant_id is that tenant; otherwise (another role, a run of another tenant, no run) null.';

create function private.agent_runner_user() returns uuid
language sql stable security definer set search_path = '' as $$
  select r.created_by
    from public.agent_runs r
   where r.id = nullif(current_setting('app.agent_run_id', true), '')::uuid
     and r.tenant_id = (select private.agent_runner_tenant())
$$;
comment on function private.agent_runner_user() is 'As agent_runner: who started the run (null for schedules and events); scans the run starts are attributed to that user or to nobody.';

revoke all on function private.agent_runner_tenant(), private.agent_runner_user() from public;
grant execute on function private.agent_runner_tenant(), private.agent_runner_user()
  to agent_runner, authenticated, service_role;

-- The tenant roles every policy helper reads: an agent run's tools act as a member of the run's tenant.
create or replace function private.tenant_roles() returns table (tenant_id uuid, role text)
language sql stable security definer set search_path = '' as $$
  -- A token minted for an API key acts only through that key, never through
  -- the memberships of whoever created it.
  select k.tenant_id,
         case when 'admin' = any (k.scopes) then 'admin'
              when 'write' = any (k.scopes) then 'member'
              else 'viewer' end
    from public.api_keys k
   where auth.jwt() -> 'app_metadata' ->> 'api_key_id' is not null
     and k.id = private.current_api_key_id()
     and k.revoked_at is null
     and (k.expires_at is null or k.expires_at > now())
  union all
  select m.tenant_id, m.role
    from public.memberships m
   where auth.jwt() -> 'app_metadata' ->> 'api_key_id' is null
     and m.user_id = auth.uid()
  union all
  select runner.tenant_id, 'member'
    from (select private.agent_runner_tenant() as tenant_id) runner
   where runner.tenant_id is not null
$$;
comment on function private.tenant_roles() is 'Every tenant the caller can act on with the role they act as: from a valid (unrevoked, unexpired) API key when the JWT names one, else from the user''s memberships; agent_runner acts as a member of its run''s tenant only.';
grant execute on function private.current_api_key_id(), private.tenant_roles(), private.tenant_role(uuid),
  private.has_tenant_role(uuid, text[]), private.tenant_ids(text[]), private.is_trusted_writer()
  to agent_runner;

-- ------------------------------------------------------------------ job doors
-- Both used to check the caller only when it was `authenticated`; any role that is not the worker's
-- own (agent_runner included) must now be a writer of the scan's tenant.
create or replace function private.enqueue_scan_job(target_scan uuid, task text, run_at timestamptz default now())
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  scan_tenant uuid;
begin
  if task !~ '^scan\.[a-z_]+$' then
    raise exception 'enqueue_scan_job only queues scan.* tasks, not %', task using errcode = '22023';
  end if;
  select s.tenant_id into scan_tenant from public.scans s where s.id = target_scan;
  if scan_tenant is null then
    raise exception 'scan % does not exist', target_scan using errcode = 'P0002';
  end if;
  if not private.is_trusted_writer() and not private.has_tenant_role(scan_tenant, '{owner,admin,member}') then
    raise exception 'not allowed to queue work for scan %', target_scan using errcode = '42501';
  end if;
  perform graphile_worker.add_job(
    identifier := task,
    payload := json_build_object('scanId', target_scan),
    run_at := run_at,
    max_attempts := 8,
    job_key := 'scan:' || target_scan::text,
    job_key_mode := 'replace'
  );
end;
$$;

create or replace function private.queue_report(target_scan uuid)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  scan_tenant uuid;
  report uuid;
begin
  select s.tenant_id into scan_tenant from public.scans s where s.id = target_scan;
  if scan_tenant is null then
    raise exception 'scan % does not exist', target_scan using errcode = 'P0002';
  end if;
  if not private.is_trusted_writer() and not private.has_tenant_role(scan_tenant, '{owner,admin,member}') then
    raise exception 'not allowed to queue a report for scan %', target_scan using errcode = '42501';
  end if;
  insert into public.reports as r (tenant_id, scan_id)
  values (scan_tenant, target_scan)
  on conflict (scan_id) do update
    set requested_version = greatest(r.requested_version, r.latest_version + 1),
        status = 'queued',
        error_message = null
  returning r.id into report;
  -- Without graphile-worker's schema (a database no worker has started on yet) the report waits
  -- as queued; the worker installs the schema at start and regenerate queues it then.
  if to_regprocedure('graphile_worker.add_job(text, json, text, timestamptz, integer, text, integer, text[], text)') is not null then
    perform graphile_worker.add_job(
      identifier := 'report.generate',
      payload := json_build_object('scanId', target_scan, 'reportId', report),
      max_attempts := 5,
      job_key := 'report:' || target_scan::text,
      job_key_mode := 'replace'
    );
  end if;
  return report;
end;
$$;
grant execute on function private.enqueue_scan_job(uuid, text, timestamptz), private.queue_report(uuid),
  private.emit_event(text, uuid, uuid, text, jsonb, integer) to agent_runner;

-- ------------------------------------------------------------------ what the tools read and write
grant select, insert, update (status, cancel_requested_at, finished_at) on public.scans to agent_runner;
grant select on public.findings, public.evidence_items, public.scan_stage_results, public.reports,
  public.report_versions to agent_runner;
-- scan_url saves the scan it started on its own step, in the transaction that starts the scan.
grant select, update (response) on public.agent_run_steps to agent_runner;

create policy "Agent tools read their run's tenant's scans" on public.scans
  for select to agent_runner using (tenant_id = (select private.agent_runner_tenant()));
create policy "Agent tools start scans in their run's tenant" on public.scans
  for insert to agent_runner
  with check (
    tenant_id = (select private.agent_runner_tenant())
    and status = 'queued'
    and (created_by is null or created_by = (select private.agent_runner_user()))
  );
create policy "Agent tools cancel their run's tenant's scans" on public.scans
  for update to agent_runner
  using (tenant_id = (select private.agent_runner_tenant()))
  with check (tenant_id = (select private.agent_runner_tenant()));
create policy "Agent tools read their run's tenant's findings" on public.findings
  for select to agent_runner using (tenant_id = (select private.agent_runner_tenant()));
create policy "Agent tools read their run's tenant's evidence" on public.evidence_items
  for select to agent_runner using (tenant_id = (select private.agent_runner_tenant()));
create policy "Agent tools read their run's tenant's scan stage results" on public.scan_stage_results
  for select to agent_runner using (tenant_id = (select private.agent_runner_tenant()));
create policy "Agent tools read their run's tenant's reports" on public.reports
  for select to agent_runner using (tenant_id = (select private.agent_runner_tenant()));
create policy "Agent tools read their run's tenant's report versions" on public.report_versions
  for select to agent_runner using (tenant_id = (select private.agent_runner_tenant()));
create policy "Agent tools read their own run's steps" on public.agent_run_steps
  for select to agent_runner
  using (
    tenant_id = (select private.agent_runner_tenant())
    and run_id = nullif(current_setting('app.agent_run_id', true), '')::uuid
  );
create policy "Agent tools note what their own run's steps started" on public.agent_run_steps
  for update to agent_runner
  using (
    tenant_id = (select private.agent_runner_tenant())
    and run_id = nullif(current_setting('app.agent_run_id', true), '')::uuid
  )
  with check (
    tenant_id = (select private.agent_runner_tenant())
    and run_id = nullif(current_setting('app.agent_run_id', true), '')::uuid
  );

comment on function private.enqueue_scan_job(uuid, text, timestamptz) is 'Queues a scan.* graphile-worker job under job key scan:<id> (a second submit replaces, never duplicates). Callable by writers of the scan''s tenant (members, write keys, an agent run''s tools) and the service role.';
comment on function private.queue_report(uuid) is 'Creates the scan''s report if needed, requests its next version and queues report.generate (job key report:<scan id>). Callable by writers of the scan''s tenant (members, write keys, an agent run''s tools) and the service role.';
