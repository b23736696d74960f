-- Scan pipeline: scans, their pages, evidence, findings and per-stage
-- checkpoints, plus the storage buckets for screenshots, reports and raw
-- artifacts. Users read everything of their tenants; they create, cancel
-- and delete scans (viewers only read). Pages, evidence, findings and
-- checkpoints are written by workers as the service role.

create type public.scan_status as enum ('queued', 'running', 'succeeded', 'failed', 'cancelled');
comment on type public.scan_status is 'Lifecycle of a scan: queued → running → succeeded | failed | cancelled.';

create type public.scan_stage as enum ('crawl', 'render', 'detect', 'security', 'vulns', 'store', 'report');
comment on type public.scan_stage is 'Pipeline stages in order; each checkpoints its output in scan_stage_results.';

create type public.finding_kind as enum ('technology', 'security', 'vulnerability', 'performance', 'third_party');
comment on type public.finding_kind is 'What a finding is about.';

-- ---------------------------------------------------------------- scans
create table public.scans (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  created_by uuid references auth.users (id) on delete set null,
  target_url text not null check (char_length(target_url) between 8 and 2048),
  thesis text check (char_length(thesis) <= 20000),
  repositories text[] not null default '{}' check (cardinality(repositories) <= 20),
  options jsonb not null default '{}'::jsonb check (jsonb_typeof(options) = 'object'),
  status public.scan_status not null default 'queued',
  stage public.scan_stage,
  progress smallint not null default 0 check (progress between 0 and 100),
  error_code text,
  error_message text check (char_length(error_message) <= 2000),
  attempts integer not null default 0 check (attempts >= 0),
  parent_scan_id uuid references public.scans (id) on delete set null,
  cancel_requested_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz,
  check ((error_code is null) = (error_message is null))
);
comment on table public.scans is 'One due-diligence scan of a website: target, options, lifecycle and progress. Created through the API; advanced by the worker''s scan.* jobs.';
comment on column public.scans.id is 'Scan id; also the graphile-worker job key suffix (scan:<id>).';
comment on column public.scans.tenant_id is 'Owning tenant; RLS limits every read and write to its members.';
comment on column public.scans.created_by is 'User (or API key owner) who requested the scan; null once that user is deleted.';
comment on column public.scans.target_url is 'Normalised http(s) URL to scan, without credentials or fragment.';
comment on column public.scans.thesis is 'Optional investment thesis the report is aligned against (at most 20,000 characters).';
comment on column public.scans.repositories is 'Optional public code repository URLs of the company (at most 20).';
comment on column public.scans.options is 'Scanner limits: {"maxPages", "renderCount", "maxDepth"}.';
comment on column public.scans.status is 'queued, running, succeeded, failed or cancelled.';
comment on column public.scans.stage is 'Stage being run (or last run) by the worker.';
comment on column public.scans.progress is 'Overall progress, 0–100.';
comment on column public.scans.error_code is 'Machine-readable failure code (e.g. blocked_target, cancelled) when status is failed; null otherwise.';
comment on column public.scans.error_message is 'Human-readable failure reason, as given by the scanner.';
comment on column public.scans.attempts is 'How many times a worker has started a stage of this scan (retries and resumes included).';
comment on column public.scans.parent_scan_id is 'The scan this one re-scans (for "what changed since last time").';
comment on column public.scans.cancel_requested_at is 'Set when a user asks to cancel; the worker stops at the next stage boundary.';
comment on column public.scans.created_at is 'When the scan was requested.';
comment on column public.scans.updated_at is 'Last change of any column.';
comment on column public.scans.started_at is 'When a worker first started the scan.';
comment on column public.scans.finished_at is 'When the scan reached succeeded, failed or cancelled.';

create trigger scans_set_updated_at before update on public.scans
  for each row execute function private.set_updated_at();

create index scans_tenant_created_idx on public.scans (tenant_id, created_at desc, id desc);
create index scans_tenant_status_idx on public.scans (tenant_id, status);
create index scans_created_by_idx on public.scans (created_by);
create index scans_parent_scan_id_idx on public.scans (parent_scan_id);

-- ---------------------------------------------------------------- scan_pages
create table public.scan_pages (
  id uuid primary key default gen_random_uuid(),
  scan_id uuid not null references public.scans (id) on delete cascade,
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  url text not null,
  final_url text,
  http_status integer,
  bytes bigint not null default 0,
  duration_ms integer,
  rendered boolean not null default false,
  error text,
  screenshot_path text,
  created_at timestamptz not null default now(),
  unique (scan_id, url)
);
comment on table public.scan_pages is 'Pages a scan fetched (and rendered), with outcome, size, timing and screenshot.';
comment on column public.scan_pages.id is 'Page id.';
comment on column public.scan_pages.scan_id is 'Scan that fetched the page.';
comment on column public.scan_pages.tenant_id is 'Owning tenant (the scan''s), for RLS.';
comment on column public.scan_pages.url is 'URL as crawled.';
comment on column public.scan_pages.final_url is 'URL after redirects; null when the fetch failed.';
comment on column public.scan_pages.http_status is 'HTTP status of the final response; null when the fetch failed.';
comment on column public.scan_pages.bytes is 'Bytes received for the page (all resources when rendered).';
comment on column public.scan_pages.duration_ms is 'Fetch (or render) time in milliseconds.';
comment on column public.scan_pages.rendered is 'True when the page was rendered in Chromium.';
comment on column public.scan_pages.error is 'Why the page failed (e.g. "blocked: 10.0.0.5 is a private address"); null on success.';
comment on column public.scan_pages.screenshot_path is 'Object path in the screenshots bucket (<tenant id>/scans/<scan id>/…png); null when none.';
comment on column public.scan_pages.created_at is 'When the page row was stored.';

create index scan_pages_tenant_id_idx on public.scan_pages (tenant_id);

-- ---------------------------------------------------------------- evidence_items
create table public.evidence_items (
  scan_id uuid not null references public.scans (id) on delete cascade,
  evidence_id text not null check (evidence_id ~ '^ev_[0-9a-f]{24}$'),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  kind text not null,
  collector text not null,
  url text not null,
  locator text not null,
  snippet text not null,
  content_hash text not null check (content_hash ~ '^[0-9a-f]{64}$'),
  observed_at timestamptz not null,
  confidence smallint not null check (confidence between 0 and 100),
  primary key (scan_id, evidence_id)
);
comment on table public.evidence_items is 'Every observation a scan made, with the exact snippet that shows it. Findings and report claims cite these by evidence_id.';
comment on column public.evidence_items.scan_id is 'Scan that made the observation.';
comment on column public.evidence_items.evidence_id is 'Stable id from the scanner (hash of what was observed): a retried scan upserts, never duplicates.';
comment on column public.evidence_items.tenant_id is 'Owning tenant (the scan''s), for RLS.';
comment on column public.evidence_items.kind is 'header, cookie, html, meta, script, scriptSrc, css, url, dom, js, network, dns, tls, robots, console or page.';
comment on column public.evidence_items.collector is 'Collector that produced it: http, render, fingerprint, observatory, tls, dns, retire, …';
comment on column public.evidence_items.url is 'Source URL (or host for DNS and TLS).';
comment on column public.evidence_items.locator is 'Where in the source: header name, CSS selector, script URL, cookie name, JS global, line.';
comment on column public.evidence_items.snippet is 'The exact text that shows the observation (length-limited).';
comment on column public.evidence_items.content_hash is 'sha-256 (hex) of the full snippet before truncation, to re-check citations.';
comment on column public.evidence_items.observed_at is 'When the scanner observed it.';
comment on column public.evidence_items.confidence is 'Confidence 0–100.';

create index evidence_items_tenant_id_idx on public.evidence_items (tenant_id);
create index evidence_items_scan_kind_idx on public.evidence_items (scan_id, kind);

-- ---------------------------------------------------------------- findings
create table public.findings (
  id uuid primary key default gen_random_uuid(),
  scan_id uuid not null references public.scans (id) on delete cascade,
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  kind public.finding_kind not null,
  finding_key text not null,
  name text not null,
  version text,
  category text,
  confidence smallint check (confidence between 0 and 100),
  severity text check (severity in ('info', 'low', 'medium', 'high', 'critical')),
  evidence_ids text[] not null default '{}',
  details jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  unique (scan_id, kind, finding_key)
);
comment on table public.findings is 'What a scan concluded (technologies, security tests, vulnerable libraries, performance, third parties), each citing its evidence.';
comment on column public.findings.id is 'Finding id.';
comment on column public.findings.scan_id is 'Scan that produced the finding.';
comment on column public.findings.tenant_id is 'Owning tenant (the scan''s), for RLS.';
comment on column public.findings.kind is 'technology, security, vulnerability, performance or third_party.';
comment on column public.findings.finding_key is 'Stable key within (scan, kind), so re-storing a stage upserts rather than duplicates.';
comment on column public.findings.name is 'Technology name, security test, vulnerable library, third-party host or performance metric.';
comment on column public.findings.version is 'Detected version, when known.';
comment on column public.findings.category is 'First category (technologies), owner category (third parties) or test group.';
comment on column public.findings.confidence is 'Confidence 0–100, when the detector gives one.';
comment on column public.findings.severity is 'info, low, medium, high or critical (security tests and vulnerabilities).';
comment on column public.findings.evidence_ids is 'evidence_items.evidence_id values of this scan that support the finding.';
comment on column public.findings.details is 'The scanner''s full finding object (identifiers, score modifiers, byte counts, …).';
comment on column public.findings.created_at is 'When the finding was stored.';

create index findings_tenant_id_idx on public.findings (tenant_id);
create index findings_evidence_ids_idx on public.findings using gin (evidence_ids);

-- ---------------------------------------------------------------- scan_stage_results
create table public.scan_stage_results (
  scan_id uuid not null references public.scans (id) on delete cascade,
  stage public.scan_stage not null,
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  output jsonb not null,
  duration_ms integer not null check (duration_ms >= 0),
  finished_at timestamptz not null default now(),
  primary key (scan_id, stage)
);
comment on table public.scan_stage_results is 'Checkpoint of each finished pipeline stage: a resumed or retried scan starts after the last one here instead of redoing it.';
comment on column public.scan_stage_results.scan_id is 'Scan the stage belongs to.';
comment on column public.scan_stage_results.stage is 'Which stage finished.';
comment on column public.scan_stage_results.tenant_id is 'Owning tenant (the scan''s), for RLS.';
comment on column public.scan_stage_results.output is 'The stage''s output as the scanner returned it (screenshots moved to storage), the next stage''s input.';
comment on column public.scan_stage_results.duration_ms is 'How long the stage ran, in milliseconds.';
comment on column public.scan_stage_results.finished_at is 'When the stage finished.';

create index scan_stage_results_tenant_id_idx on public.scan_stage_results (tenant_id);

-- ---------------------------------------------------------------- RLS
alter table public.scans enable row level security;
alter table public.scan_pages enable row level security;
alter table public.evidence_items enable row level security;
alter table public.findings enable row level security;
alter table public.scan_stage_results enable row level security;

revoke all on public.scans, public.scan_pages, public.evidence_items, public.findings, public.scan_stage_results from anon, authenticated;
-- Users request, cancel, retry and delete scans; progress and results are the worker's.
grant select, insert, delete, update (status, stage, progress, error_code, error_message, cancel_requested_at, finished_at)
  on public.scans to authenticated;
grant select on public.scan_pages, public.evidence_items, public.findings, public.scan_stage_results to authenticated;
grant all on public.scans, public.scan_pages, public.evidence_items, public.findings, public.scan_stage_results to service_role;

create policy "Members read their tenants' scans" on public.scans
  for select to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin,member,viewer}'))::uuid[]));
create policy "Members create scans in their tenants" on public.scans
  for insert to authenticated
  with check (
    tenant_id = any ((select private.tenant_ids('{owner,admin,member}'))::uuid[])
    and (created_by is null or created_by = (select auth.uid()))
  );
create policy "Members update their tenants' scans" on public.scans
  for update to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin,member}'))::uuid[]))
  with check (tenant_id = any ((select private.tenant_ids('{owner,admin,member}'))::uuid[]));
create policy "Members delete their tenants' scans" on public.scans
  for delete to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin,member}'))::uuid[]));

create policy "Members read their tenants' scan pages" on public.scan_pages
  for select to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin,member,viewer}'))::uuid[]));
create policy "Members read their tenants' evidence" on public.evidence_items
  for select to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin,member,viewer}'))::uuid[]));
create policy "Members read their tenants' findings" on public.findings
  for select to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin,member,viewer}'))::uuid[]));
create policy "Members read their tenants' stage checkpoints" on public.scan_stage_results
  for select to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin,member,viewer}'))::uuid[]));

-- ---------------------------------------------------------------- job queueing
-- The API adds a scan's job in the same transaction that writes the scan,
-- as the requesting user. graphile_worker's schema is the worker's, so this
-- definer function is the one narrow door: it checks the caller may write
-- the scan, and only ever queues scan.* work under the scan's job key.
create function private.enqueue_scan_job(target_scan uuid, task text, run_at timestamptz default now())
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
  if coalesce(current_setting('role', true), 'none') = 'authenticated'
     and not private.has_tenant_role(scan_tenant, '{owner,admin,member}') then
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
comment on function private.enqueue_scan_job(uuid, text, timestamptz) is 'Queues a scan.* graphile-worker job under job key scan:<id> (a second submit replaces, never duplicates). Callable by members who may write the scan.';
revoke all on function private.enqueue_scan_job(uuid, text, timestamptz) from public;
grant execute on function private.enqueue_scan_job(uuid, text, timestamptz) to authenticated, service_role;

-- ---------------------------------------------------------------- storage
insert into storage.buckets (id, name, public)
values ('reports', 'reports', false), ('screenshots', 'screenshots', false), ('artifacts', 'artifacts', false)
on conflict (id) do nothing;

-- Object paths start with the owning tenant's id: <tenant id>/<…>.
create function private.object_tenant_id(object_name text)
returns uuid
language sql
immutable
set search_path = ''
as $$
  select case
    when split_part(object_name, '/', 1) ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
      then split_part(object_name, '/', 1)::uuid
  end
$$;
comment on function private.object_tenant_id(text) is 'Tenant id from a storage object path''s first segment, or null when it is not a tenant id.';
revoke all on function private.object_tenant_id(text) from public;
grant execute on function private.object_tenant_id(text) to authenticated, service_role;

create policy "Members read their tenants' scan objects" on storage.objects
  for select to authenticated
  using (
    bucket_id in ('reports', 'screenshots', 'artifacts')
    and private.object_tenant_id(name) = any ((select private.tenant_ids('{owner,admin,member,viewer}'))::uuid[])
  );
create policy "Members upload their tenants' scan objects" on storage.objects
  for insert to authenticated
  with check (
    bucket_id in ('reports', 'artifacts')
    and private.object_tenant_id(name) = any ((select private.tenant_ids('{owner,admin,member}'))::uuid[])
  );
create policy "Members delete their tenants' scan objects" on storage.objects
  for delete to authenticated
  using (
    bucket_id in ('reports', 'screenshots', 'artifacts')
    and private.object_tenant_id(name) = any ((select private.tenant_ids('{owner,admin,member}'))::uuid[])
  );
