-- The API lists a tenant's audit log newest first and pages by id
-- (audit.list); this index serves `where tenant_id = $1 [and id < $2]
-- order by id desc limit n` without sorting the tenant's whole log.
create index audit_log_tenant_id_id_idx on public.audit_log (tenant_id, id);
