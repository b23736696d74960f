-- Reports: one per scan, with immutable versions (a new analysis or a
-- regeneration adds a version, never rewrites one), and the metering of
-- every AI call (ai_usage). Members read their tenants' reports and usage;
-- workers write them as the service role. Users ask for a new version only
-- through private.queue_report, which also queues the worker's job.

create type public.report_status as enum ('queued', 'generating', 'ready', 'failed');
comment on type public.report_status is 'Lifecycle of a report''s next version: queued → generating → ready | failed.';

-- ---------------------------------------------------------------- reports
create table public.reports (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  scan_id uuid not null unique references public.scans (id) on delete cascade,
  status public.report_status not null default 'queued',
  latest_version integer not null default 0 check (latest_version >= 0),
  requested_version integer not null default 1 check (requested_version >= 1),
  error_message text check (char_length(error_message) <= 2000),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (requested_version >= latest_version)
);
comment on table public.reports is 'The due-diligence report of one scan. Its content lives in report_versions; this row tracks the latest version and whether a new one is being written.';
comment on column public.reports.id is 'Report id; the LangGraph checkpoint thread of each version is <report id>:v<version>.';
comment on column public.reports.tenant_id is 'Owning tenant (the scan''s), for RLS.';
comment on column public.reports.scan_id is 'Scan the report analyses (one report per scan).';
comment on column public.reports.status is 'queued, generating, ready or failed — the state of the version being produced (ready when none is pending).';
comment on column public.reports.latest_version is 'Number of the newest published version; 0 before the first one.';
comment on column public.reports.requested_version is 'Version the queued or running report.generate job produces; equal to latest_version when nothing is pending.';
comment on column public.reports.error_message is 'Why the last attempt failed, when status is failed; null otherwise.';
comment on column public.reports.created_at is 'When the report was first requested.';
comment on column public.reports.updated_at is 'Last change of any column.';

create trigger reports_set_updated_at before update on public.reports
  for each row execute function private.set_updated_at();

create index reports_tenant_created_idx on public.reports (tenant_id, created_at desc, id desc);

-- ---------------------------------------------------------------- report_versions
create table public.report_versions (
  id uuid primary key default gen_random_uuid(),
  report_id uuid not null references public.reports (id) on delete cascade,
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  scan_id uuid not null references public.scans (id) on delete cascade,
  version integer not null check (version >= 1),
  content jsonb not null check (jsonb_typeof(content) = 'object'),
  scan_diff jsonb check (scan_diff is null or jsonb_typeof(scan_diff) = 'object'),
  compared_scan_id uuid references public.scans (id) on delete set null,
  models jsonb not null default '[]'::jsonb check (jsonb_typeof(models) = 'array'),
  input_tokens integer not null default 0 check (input_tokens >= 0),
  output_tokens integer not null default 0 check (output_tokens >= 0),
  cost_usd numeric(12, 6) not null default 0 check (cost_usd >= 0),
  claims_published integer not null default 0 check (claims_published >= 0),
  claims_dropped integer not null default 0 check (claims_dropped >= 0),
  created_at timestamptz not null default now(),
  unique (report_id, version)
);
comment on table public.report_versions is 'Immutable versions of a report: the content (sections, verified claims, cited evidence, scores) exactly as published. Never updated; removed only with their report.';
comment on column public.report_versions.id is 'Version id.';
comment on column public.report_versions.report_id is 'Report this is a version of.';
comment on column public.report_versions.tenant_id is 'Owning tenant (the report''s), for RLS.';
comment on column public.report_versions.scan_id is 'Scan the version analyses (the report''s).';
comment on column public.report_versions.version is 'Version number, 1, 2, … per report.';
comment on column public.report_versions.content is 'The report as ReportContent JSON (validated by the app before insert; JSON Schema in packages/ai/schema/report.schema.json).';
comment on column public.report_versions.scan_diff is 'What changed since the compared scan (technologies, header grade, vulnerabilities, third parties), when the scan re-scans a parent; null otherwise.';
comment on column public.report_versions.compared_scan_id is 'The parent scan scan_diff compares against; null when there is none (or it was deleted).';
comment on column public.report_versions.models is 'Providers and models that wrote it, with their tasks: [{"provider","model","tasks"}]; empty for the offline analyst.';
comment on column public.report_versions.input_tokens is 'Model input tokens the version cost (0 offline).';
comment on column public.report_versions.output_tokens is 'Model output tokens the version cost (0 offline).';
comment on column public.report_versions.cost_usd is 'Estimated cost in USD from the price table.';
comment on column public.report_versions.claims_published is 'Claims whose citations checked out and were published.';
comment on column public.report_versions.claims_dropped is 'Claims not published because a citation did not check out.';
comment on column public.report_versions.created_at is 'When the version was published.';

create index report_versions_tenant_id_idx on public.report_versions (tenant_id);
create index report_versions_scan_id_idx on public.report_versions (scan_id);
create index report_versions_compared_scan_id_idx on public.report_versions (compared_scan_id);

-- A published version is evidence of what was said: its content never changes.
-- Deleting is allowed only as part of deleting its report (or scan, or tenant).
create function private.report_versions_immutable() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if tg_op = 'UPDATE' then
    if new.content is distinct from old.content or new.version is distinct from old.version
       or new.report_id is distinct from old.report_id or new.scan_diff is distinct from old.scan_diff then
      raise exception 'report versions are immutable: publish a new version instead of changing version % of report %', old.version, old.report_id
        using errcode = '55000';
    end if;
    return new;
  end if;
  if exists (select 1 from public.reports r where r.id = old.report_id) then
    raise exception 'report versions are immutable: delete the report (or its scan) to remove version % of report %', old.version, old.report_id
      using errcode = '55000';
  end if;
  return old;
end;
$$;
comment on function private.report_versions_immutable() is 'Refuses changes to a published report version''s content, and deleting a version while its report exists.';
revoke all on function private.report_versions_immutable() from public;

create trigger report_versions_immutable before update or delete on public.report_versions
  for each row execute function private.report_versions_immutable();

-- ---------------------------------------------------------------- ai_usage
create table public.ai_usage (
  id bigint generated always as identity primary key,
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  scan_id uuid references public.scans (id) on delete set null,
  report_id uuid references public.reports (id) on delete set null,
  report_version integer check (report_version >= 1),
  task text not null check (task ~ '^[a-zA-Z]+$'),
  section text,
  provider text not null,
  model text not null,
  input_tokens integer not null default 0 check (input_tokens >= 0),
  output_tokens integer not null default 0 check (output_tokens >= 0),
  cost_usd numeric(12, 6) not null default 0 check (cost_usd >= 0),
  priced boolean not null default true,
  latency_ms integer not null check (latency_ms >= 0),
  outcome text not null,
  error text check (char_length(error) <= 2000),
  created_at timestamptz not null default now()
);
comment on table public.ai_usage is 'One row per AI call (offline analyst included, at zero tokens): tokens, cost, latency and outcome per tenant, for analytics and budgets. Written by workers.';
comment on column public.ai_usage.id is 'Row id.';
comment on column public.ai_usage.tenant_id is 'Tenant billed for the call.';
comment on column public.ai_usage.scan_id is 'Scan the call analysed; null once the scan is deleted (usage stays for analytics).';
comment on column public.ai_usage.report_id is 'Report the call served; null once the report is deleted.';
comment on column public.ai_usage.report_version is 'Report version the call was made for.';
comment on column public.ai_usage.task is 'Task: writeSection, verifyClaim, rewriteClaim, summarise or scoreThesis.';
comment on column public.ai_usage.section is 'Report section the call served, when it served one.';
comment on column public.ai_usage.provider is 'Provider id from the AI configuration (openai, anthropic, local, offline, …).';
comment on column public.ai_usage.model is 'Model name sent to the provider.';
comment on column public.ai_usage.input_tokens is 'Input (prompt) tokens the provider reported.';
comment on column public.ai_usage.output_tokens is 'Output (completion) tokens the provider reported.';
comment on column public.ai_usage.cost_usd is 'Estimated cost in USD from the price table (0 when unpriced).';
comment on column public.ai_usage.priced is 'False when the model was missing from the price table (cost recorded as 0).';
comment on column public.ai_usage.latency_ms is 'Wall time of the call in milliseconds.';
comment on column public.ai_usage.outcome is 'ok, invalid_answer, budget_refused, or the failure kind (rate_limited, server_error, timeout, …).';
comment on column public.ai_usage.error is 'Failure message when the outcome is not ok.';
comment on column public.ai_usage.created_at is 'When the call finished.';

create index ai_usage_tenant_created_idx on public.ai_usage (tenant_id, created_at desc);
create index ai_usage_scan_id_idx on public.ai_usage (scan_id);
create index ai_usage_report_id_idx on public.ai_usage (report_id);

-- ---------------------------------------------------------------- RLS
alter table public.reports enable row level security;
alter table public.report_versions enable row level security;
alter table public.ai_usage enable row level security;

revoke all on public.reports, public.report_versions, public.ai_usage from anon, authenticated;
grant select on public.reports, public.report_versions, public.ai_usage to authenticated;
grant all on public.reports, public.report_versions, public.ai_usage to service_role;

create policy "Members read their tenants' reports" on public.reports
  for select to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin,member,viewer}'))::uuid[]));
create policy "Members read their tenants' report versions" on public.report_versions
  for select to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin,member,viewer}'))::uuid[]));
create policy "Members read their tenants' AI usage" on public.ai_usage
  for select to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin,member,viewer}'))::uuid[]));

-- ---------------------------------------------------------------- queueing
-- The one door to a new report version: creates the scan's report row when
-- missing, asks for the next version (unless one is already pending) and
-- queues report.generate under the scan's job key, in the caller's
-- transaction. Members call it through the API (regenerate); the scans
-- trigger below calls it when a scan succeeds.
create function private.queue_report(target_scan uuid)
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
  if coalesce(current_setting('role', true), 'none') = 'authenticated'
     and not private.has_tenant_role(scan_tenant, '{owner,admin,member}') then
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
comment on function private.queue_report(uuid) is 'Creates the scan''s report if needed, requests its next version and queues report.generate (job key report:<scan id>). Callable by members who may write the scan, and by the service role.';
revoke all on function private.queue_report(uuid) from public;
grant execute on function private.queue_report(uuid) to authenticated, service_role;

-- Evidence is complete when a scan succeeds: the report is queued in the
-- same transaction, so no finished scan is ever left without one.
create function private.queue_report_on_scan_success() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  perform private.queue_report(new.id);
  return new;
end;
$$;
comment on function private.queue_report_on_scan_success() is 'Trigger: queues the first report of a scan when it reaches status succeeded.';
revoke all on function private.queue_report_on_scan_success() from public;

create trigger scans_queue_report after update of status on public.scans
  for each row when (new.status = 'succeeded' and old.status is distinct from 'succeeded')
  execute function private.queue_report_on_scan_success();
