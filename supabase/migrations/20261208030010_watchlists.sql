-- Watchlists: a tenant's set of URLs re-scanned on a cron cadence (in an IANA
-- zone, the agent schedules' cron). Each re-scan is compared with the URL's
-- previous scan (diffScans); a change matching the watchlist's rules becomes
-- a timeline row (watchlist_changes) and a finding.changed event, which event
-- triggers, webhooks and integrations act on.
--
-- The worker's watchlist.tick (every minute) queues the scans of due
-- watchlists through the scan pipeline, each URL's job at a deterministic
-- offset inside the first part of the period, so 50 URLs do not start 50
-- browsers at once (and the pipeline's per-tenant admission still applies).
-- When such a scan ends, a row trigger on events queues watchlist.compare.

create table public.watchlists (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  name text not null check (char_length(btrim(name)) between 1 and 100),
  cron text not null check (char_length(cron) between 9 and 200),
  timezone text not null default 'UTC' check (char_length(timezone) between 1 and 64),
  rules jsonb not null default '{}'::jsonb check (jsonb_typeof(rules) = 'object'),
  enabled boolean not null default true,
  next_run_at timestamptz,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, id),
  unique (tenant_id, name)
);
comment on table public.watchlists is 'A set of URLs a tenant re-scans on a cadence; changes between consecutive scans that match the rules go to the timeline (watchlist_changes) and emit finding.changed.';
comment on column public.watchlists.id is 'Watchlist id.';
comment on column public.watchlists.tenant_id is 'Owning tenant; RLS limits every read and write to its members.';
comment on column public.watchlists.name is 'Name, unique in the tenant (1–100 characters).';
comment on column public.watchlists.cron is 'Re-scan cadence: 5-field cron (checked by the API with the schedules'' cron module).';
comment on column public.watchlists.timezone is 'IANA time zone the cron is read in.';
comment on column public.watchlists.rules is 'Which changes count (WatchRules in packages/contracts/src/watchlists.ts): technologyAdded, technologyRemoved, versionChanged, minVulnerabilitySeverity (null: none), gradeDrop.';
comment on column public.watchlists.enabled is 'A disabled watchlist is not re-scanned.';
comment on column public.watchlists.next_run_at is 'The next slot of the cadence, when the tick queues the URLs'' scans; null when disabled.';
comment on column public.watchlists.created_by is 'User who created the watchlist (its scans are attributed to them); null once that user is deleted.';
comment on column public.watchlists.created_at is 'When the watchlist was created.';
comment on column public.watchlists.updated_at is 'Last change of any column.';
create trigger watchlists_set_updated_at before update on public.watchlists
  for each row execute function private.set_updated_at();
create index watchlists_due_idx on public.watchlists (next_run_at) where enabled;
create index watchlists_created_by_idx on public.watchlists (created_by);

create table public.watchlist_urls (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  watchlist_id uuid not null,
  url text not null check (char_length(url) between 1 and 2048),
  pending_scan_id uuid,
  last_scan_id uuid,
  created_at timestamptz not null default now(),
  unique (tenant_id, id),
  unique (watchlist_id, url),
  foreign key (tenant_id, watchlist_id) references public.watchlists (tenant_id, id) on delete cascade,
  foreign key (tenant_id, pending_scan_id) references public.scans (tenant_id, id) on delete set null (pending_scan_id),
  foreign key (tenant_id, last_scan_id) references public.scans (tenant_id, id) on delete set null (last_scan_id)
);
comment on table public.watchlist_urls is 'The URLs of a watchlist, each with the scan in flight and the last scan that succeeded (the next one is compared with it).';
comment on column public.watchlist_urls.id is 'Row id.';
comment on column public.watchlist_urls.tenant_id is 'Owning tenant (the watchlist''s), for RLS.';
comment on column public.watchlist_urls.watchlist_id is 'Watchlist the URL belongs to.';
comment on column public.watchlist_urls.url is 'Normalised http(s) URL, unique in the watchlist.';
comment on column public.watchlist_urls.pending_scan_id is 'Scan the tick queued and that has not been compared yet; null otherwise (a URL with one is not queued again).';
comment on column public.watchlist_urls.last_scan_id is 'Last scan of the URL that succeeded and was compared: the baseline of the next comparison.';
comment on column public.watchlist_urls.created_at is 'When the URL was added.';
create index watchlist_urls_watchlist_idx on public.watchlist_urls (tenant_id, watchlist_id);
create index watchlist_urls_pending_idx on public.watchlist_urls (pending_scan_id) where pending_scan_id is not null;
create index watchlist_urls_last_scan_idx on public.watchlist_urls (tenant_id, last_scan_id);

create table public.watchlist_changes (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  watchlist_id uuid not null,
  watchlist_url_id uuid not null,
  url text not null,
  previous_scan_id uuid,
  scan_id uuid not null,
  kind text not null check (kind in (
    'technology_added', 'technology_removed', 'version_changed', 'vulnerability_new', 'grade_dropped')),
  details jsonb not null default '{}'::jsonb check (jsonb_typeof(details) = 'object'),
  event_id bigint,
  created_at timestamptz not null default now(),
  foreign key (tenant_id, watchlist_id) references public.watchlists (tenant_id, id) on delete cascade,
  foreign key (tenant_id, watchlist_url_id) references public.watchlist_urls (tenant_id, id) on delete cascade,
  foreign key (tenant_id, previous_scan_id) references public.scans (tenant_id, id) on delete set null (previous_scan_id),
  foreign key (tenant_id, scan_id) references public.scans (tenant_id, id) on delete cascade
);
comment on table public.watchlist_changes is 'Timeline of a watchlist: each change between two consecutive scans of a URL that matched the rules. Written by the worker.';
comment on column public.watchlist_changes.id is 'Row id.';
comment on column public.watchlist_changes.tenant_id is 'Owning tenant, for RLS.';
comment on column public.watchlist_changes.watchlist_id is 'Watchlist that saw the change.';
comment on column public.watchlist_changes.watchlist_url_id is 'URL entry of the watchlist.';
comment on column public.watchlist_changes.url is 'The URL, as it was scanned.';
comment on column public.watchlist_changes.previous_scan_id is 'Scan compared against (the URL''s previous scan); null once that scan is deleted.';
comment on column public.watchlist_changes.scan_id is 'The new scan that shows the change.';
comment on column public.watchlist_changes.kind is 'technology_added, technology_removed, version_changed, vulnerability_new or grade_dropped.';
comment on column public.watchlist_changes.details is 'What changed (technology and versions, vulnerability, grades), from the scan diff.';
comment on column public.watchlist_changes.event_id is 'The finding.changed event (events.id) that announced the change.';
comment on column public.watchlist_changes.created_at is 'When the change was found.';
create index watchlist_changes_timeline_idx on public.watchlist_changes (tenant_id, watchlist_id, created_at desc, id desc);
create index watchlist_changes_url_idx on public.watchlist_changes (tenant_id, watchlist_url_id, created_at desc);
create index watchlist_changes_scan_idx on public.watchlist_changes (tenant_id, scan_id);
create index watchlist_changes_previous_scan_idx on public.watchlist_changes (tenant_id, previous_scan_id);

-- ---------------------------------------------------------------- RLS
alter table public.watchlists enable row level security;
alter table public.watchlist_urls enable row level security;
alter table public.watchlist_changes enable row level security;
revoke all on public.watchlists, public.watchlist_urls, public.watchlist_changes from anon, authenticated;
-- next_run_at and the scan columns are the worker's (and the API's, through the service functions).
grant select, insert, delete, update (name, cron, timezone, rules, enabled, next_run_at)
  on public.watchlists to authenticated;
grant select, insert (tenant_id, watchlist_id, url), delete on public.watchlist_urls to authenticated;
grant select on public.watchlist_changes to authenticated;
grant all on public.watchlists, public.watchlist_urls, public.watchlist_changes to service_role;

create policy "Members read their tenants' watchlists" on public.watchlists
  for select to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin,member,viewer}'))::uuid[]));
create policy "Writers create watchlists in their tenants" on public.watchlists
  for insert to authenticated
  with check (
    tenant_id = any ((select private.tenant_ids('{owner,admin,member}'))::uuid[])
    and (created_by is null or created_by = (select auth.uid()))
  );
create policy "Writers change their tenants' watchlists" on public.watchlists
  for update to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin,member}'))::uuid[]))
  with check (tenant_id = any ((select private.tenant_ids('{owner,admin,member}'))::uuid[]));
create policy "Writers delete their tenants' watchlists" on public.watchlists
  for delete to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin,member}'))::uuid[]));

create policy "Members read their tenants' watchlist URLs" on public.watchlist_urls
  for select to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin,member,viewer}'))::uuid[]));
create policy "Writers add URLs to their tenants' watchlists" on public.watchlist_urls
  for insert to authenticated
  with check (tenant_id = any ((select private.tenant_ids('{owner,admin,member}'))::uuid[]));
create policy "Writers remove URLs from their tenants' watchlists" on public.watchlist_urls
  for delete to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin,member}'))::uuid[]));

create policy "Members read their tenants' watchlist timelines" on public.watchlist_changes
  for select to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin,member,viewer}'))::uuid[]));

-- ---------------------------------------------------------------- compare when a watched scan ends
create function private.queue_watchlist_compare() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if new.tenant_id is null or not private.is_trusted_writer()
     or new.subject !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
     or to_regprocedure('graphile_worker.add_job(text, json, text, timestamptz, integer, text, integer, text[], text)') is null
     or not exists (
       select 1 from public.watchlist_urls u
        where u.pending_scan_id = new.subject::uuid and u.tenant_id = new.tenant_id) then
    return null;
  end if;
  perform graphile_worker.add_job(
    identifier := 'watchlist.compare',
    payload := json_build_object('scanId', new.subject),
    max_attempts := 5,
    job_key := 'watchlist_compare:' || new.subject,
    job_key_mode := 'preserve_run_at'
  );
  return null;
end;
$$;
comment on function private.queue_watchlist_compare() is 'After the worker writes scan.completed, scan.failed or scan.cancelled of a scan a watchlist waits for: queues watchlist.compare (job key watchlist_compare:<scanId>).';
revoke all on function private.queue_watchlist_compare() from public;
create trigger events_queue_watchlist_compare after insert on public.events
  for each row when (new.type in ('scan.completed', 'scan.failed', 'scan.cancelled'))
  execute function private.queue_watchlist_compare();
