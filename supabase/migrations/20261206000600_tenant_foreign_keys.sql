-- Tenant boundary for references between tenant-owned rows.
--
-- Foreign keys ignore RLS: scans.parent_scan_id could name another tenant's
-- scan, and the report worker (service role) then read that scan's evidence
-- into this tenant's diff. Every foreign key between two tables that carry
-- tenant_id now includes tenant_id on both sides, so Postgres itself refuses
-- a cross-tenant reference for every writer, the service role included.
-- catalog.test.ts enumerates these keys from pg_constraint and proves each
-- refuses a cross-tenant reference; a new one without tenant_id fails there.
--
-- A composite key needs a unique (tenant_id, id) on the referenced table.
-- `on delete set null (col)` clears only the reference, never tenant_id.

alter table public.scans add constraint scans_tenant_id_id_key unique (tenant_id, id);
alter table public.reports add constraint reports_tenant_id_id_key unique (tenant_id, id);
alter table public.api_keys add constraint api_keys_tenant_id_id_key unique (tenant_id, id);

alter table public.scans
  drop constraint scans_parent_scan_id_fkey,
  add constraint scans_parent_scan_id_fkey foreign key (tenant_id, parent_scan_id)
    references public.scans (tenant_id, id) on delete set null (parent_scan_id);

alter table public.scan_pages
  drop constraint scan_pages_scan_id_fkey,
  add constraint scan_pages_scan_id_fkey foreign key (tenant_id, scan_id)
    references public.scans (tenant_id, id) on delete cascade;

alter table public.evidence_items
  drop constraint evidence_items_scan_id_fkey,
  add constraint evidence_items_scan_id_fkey foreign key (tenant_id, scan_id)
    references public.scans (tenant_id, id) on delete cascade;

alter table public.findings
  drop constraint findings_scan_id_fkey,
  add constraint findings_scan_id_fkey foreign key (tenant_id, scan_id)
    references public.scans (tenant_id, id) on delete cascade;

alter table public.scan_stage_results
  drop constraint scan_stage_results_scan_id_fkey,
  add constraint scan_stage_results_scan_id_fkey foreign key (tenant_id, scan_id)
    references public.scans (tenant_id, id) on delete cascade;

alter table public.reports
  drop constraint reports_scan_id_fkey,
  add constraint reports_scan_id_fkey foreign key (tenant_id, scan_id)
    references public.scans (tenant_id, id) on delete cascade;

alter table public.report_versions
  drop constraint report_versions_report_id_fkey,
  drop constraint report_versions_scan_id_fkey,
  drop constraint report_versions_compared_scan_id_fkey,
  add constraint report_versions_report_id_fkey foreign key (tenant_id, report_id)
    references public.reports (tenant_id, id) on delete cascade,
  add constraint report_versions_scan_id_fkey foreign key (tenant_id, scan_id)
    references public.scans (tenant_id, id) on delete cascade,
  add constraint report_versions_compared_scan_id_fkey foreign key (tenant_id, compared_scan_id)
    references public.scans (tenant_id, id) on delete set null (compared_scan_id);

alter table public.ai_usage
  drop constraint ai_usage_scan_id_fkey,
  drop constraint ai_usage_report_id_fkey,
  add constraint ai_usage_scan_id_fkey foreign key (tenant_id, scan_id)
    references public.scans (tenant_id, id) on delete set null (scan_id),
  add constraint ai_usage_report_id_fkey foreign key (tenant_id, report_id)
    references public.reports (tenant_id, id) on delete set null (report_id);

-- audit_log.tenant_id may be null (actions outside any tenant); such rows are
-- written by the service role only. A composite key is not checked when tenant_id is null,
-- so an entry naming an API key (always tenant-bound) must name its tenant.
alter table public.audit_log
  drop constraint audit_log_actor_api_key_id_fkey,
  add constraint audit_log_actor_api_key_id_fkey foreign key (tenant_id, actor_api_key_id)
    references public.api_keys (tenant_id, id) on delete set null (actor_api_key_id);

comment on column public.scans.parent_scan_id is 'The scan of the same tenant this one re-scans (for "what changed since last time"); the key includes tenant_id, so another tenant''s scan is refused.';
alter table public.audit_log add constraint audit_log_api_key_has_tenant
  check (actor_api_key_id is null or tenant_id is not null);
