-- Events and audit entries are written only by trusted code, inside the
-- transaction that makes the change.
--
-- Until now `authenticated` could INSERT into events and audit_log (any
-- member, viewers included, e.g. through PostgREST): a forged scan.completed
-- ended every watcher's progress stream, and forged audit entries polluted
-- the log. Now no API role may insert into either table. Requests write
-- through two security-definer functions in the non-exposed schema
-- `private` (PostgREST serves only `public`), which bind tenant and actor to
-- the caller's claims and let a request emit only what a request can cause:
-- the worker's scan and report lifecycle events are the service role's.

drop policy events_insert on public.events;
drop policy audit_log_insert on public.audit_log;
revoke insert on public.events, public.audit_log from anon, authenticated;

-- True when the transaction runs as the owning role (workers, migrations,
-- operators) or as service_role; false for the request roles.
create function private.is_trusted_writer() returns boolean
language sql stable set search_path = '' as $$
  select coalesce(nullif(current_setting('role', true), ''), 'none') in ('none', 'service_role')
$$;
comment on function private.is_trusted_writer() is 'True for the owning role and service_role (workers, operators), false for authenticated and anon requests.';

create function private.emit_event(
  p_type text, p_tenant uuid, p_user uuid, p_subject text, p_data jsonb default '{}', p_version integer default 1
) returns bigint
language plpgsql security definer set search_path = '' as $$
declare
  v_scan uuid;
  v_matches boolean;
  v_id bigint;
begin
  if not private.is_trusted_writer() then
    -- Any member: a member who just demoted themselves to viewer still records that change.
    if p_tenant is null or not private.has_tenant_role(p_tenant, '{owner,admin,member,viewer}') then
      raise exception 'events can only be emitted in a tenant of the caller'
        using errcode = 'insufficient_privilege';
    end if;
    if p_user is not null and p_user is distinct from auth.uid() then
      raise exception 'an event can only be attributed to its caller'
        using errcode = 'insufficient_privilege';
    end if;
    -- The one report event a request causes: asking for a new version of a report of the tenant
    -- (the hourly regeneration limit counts these). Every other report.* comes from the worker.
    if p_type like 'report.%' and not (
      p_type = 'report.regenerate_requested'
      and private.has_tenant_role(p_tenant, '{owner,admin,member}')
      and p_subject ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
      and exists (select 1 from public.reports r where r.id = p_subject::uuid and r.tenant_id = p_tenant)
    ) then
      raise exception 'report events are written by the worker only' using errcode = 'insufficient_privilege';
    end if;
    if p_type like 'scan.%' then
      -- A request emits only the scan events the API causes, each matching the scan as it now is,
      -- so no caller can end a watcher's stream with a made-up terminal event.
      if not private.has_tenant_role(p_tenant, '{owner,admin,member}')
         or p_subject !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
        raise exception 'scan events come from those who may write scans, about a scan id'
          using errcode = 'insufficient_privilege';
      end if;
      v_scan := p_subject::uuid;
      v_matches := case p_type
        when 'scan.queued' then exists (
          select 1 from public.scans s where s.id = v_scan and s.tenant_id = p_tenant and s.status = 'queued')
        when 'scan.cancel_requested' then exists (
          select 1 from public.scans s
           where s.id = v_scan and s.tenant_id = p_tenant and s.cancel_requested_at is not null)
        when 'scan.cancelled' then exists (
          select 1 from public.scans s
           where s.id = v_scan and s.tenant_id = p_tenant and s.status = 'cancelled')
        when 'scan.deleted' then not exists (select 1 from public.scans s where s.id = v_scan)
        else false
      end;
      if not v_matches then
        raise exception '% does not match scan % as it is, or is written by the worker only', p_type, v_scan
          using errcode = 'insufficient_privilege';
      end if;
    end if;
  end if;
  insert into public.events (type, version, tenant_id, user_id, subject, data)
  values (p_type, p_version, p_tenant, p_user, p_subject, p_data)
  returning id into v_id;
  return v_id;
end
$$;
comment on function private.emit_event(text, uuid, uuid, text, jsonb, integer) is 'The only way to write an event: in the caller''s transaction (NOTIFY at commit). Requests must be members of the tenant and attribute the event to themselves or nobody; they write no report.* but report.regenerate_requested (writers, about a report of the tenant), and only writers (owner, admin, member) write scan.queued, scan.cancel_requested, scan.cancelled and scan.deleted, each matching the scan''s state. The service role writes any event.';

create function private.write_audit(
  p_tenant uuid, p_action text, p_target text, p_details jsonb, p_request_id text
) returns bigint
language plpgsql security definer set search_path = '' as $$
declare
  v_key uuid := private.current_api_key_id();
  v_id bigint;
begin
  if not private.is_trusted_writer()
     and (p_tenant is null or not private.has_tenant_role(p_tenant, '{owner,admin,member,viewer}')) then
    raise exception 'audit entries can only be written in a tenant of the caller'
      using errcode = 'insufficient_privilege';
  end if;
  -- The actor is whoever the claims say: an API key acts as itself, never as its creator.
  insert into public.audit_log (tenant_id, actor_user_id, actor_api_key_id, action, target, details, request_id)
  values (p_tenant, case when v_key is null then auth.uid() end, v_key, p_action, p_target, p_details, p_request_id)
  returning id into v_id;
  return v_id;
end
$$;
comment on function private.write_audit(uuid, text, text, jsonb, text) is 'The only way to write an audit entry: in the caller''s transaction, with the actor taken from the caller''s claims (user, or API key). Requests must be members of the tenant; the service role (no claims) writes entries with no actor.';

revoke all on function private.is_trusted_writer(), private.emit_event(text, uuid, uuid, text, jsonb, integer),
  private.write_audit(uuid, text, text, jsonb, text) from public;
grant execute on function private.is_trusted_writer(), private.emit_event(text, uuid, uuid, text, jsonb, integer),
  private.write_audit(uuid, text, text, jsonb, text) to authenticated, service_role;

comment on table public.events is 'Outbox of domain events, written in the same transaction as the change they describe through private.emit_event() (no API role may insert directly); each insert also sends NOTIFY techscaniq_events. Realtime updates, webhooks and analytics read it. Append-only.';
comment on table public.audit_log is 'Who did what to which tenant data, for tenant owners and admins. Written through private.write_audit() (actor from the caller''s claims; no API role may insert directly). Append-only.';
