-- Hourly tenant limits count a tenant's recent events of one type (e.g.
-- report.regenerate_requested); without this index each count scanned every
-- event of the tenant.
create index events_tenant_type_created_idx on public.events (tenant_id, type, created_at);
