-- Agent run events follow the scan events' rule: a request emits only what a
-- request causes (agent_run.queued for a queued run, agent_run.cancel_requested
-- once cancel is asked), each matching the run as it now is, so no caller can
-- end a watcher's progress stream with a made-up agent_run.succeeded. The
-- worker (service role) writes the rest. Everything else emit_event did stays.

create or replace function private.emit_event(
  p_type text, p_tenant uuid, p_user uuid, p_subject text, p_data jsonb default '{}',
  p_version integer default 1
) returns bigint
language plpgsql security definer set search_path = '' as $$
declare
  v_scan uuid;
  v_run uuid;
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
    if starts_with(p_type, 'agent_run.') then
      -- Likewise for agent runs: a request queues a run and asks to cancel it; starting, steps,
      -- approvals waiting and every terminal event are the worker's.
      if not private.has_tenant_role(p_tenant, '{owner,admin,member}')
         or p_subject !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
        raise exception 'agent run events come from those who may run agents, about a run id'
          using errcode = 'insufficient_privilege';
      end if;
      v_run := p_subject::uuid;
      v_matches := case p_type
        when 'agent_run.queued' then exists (
          select 1 from public.agent_runs r
           where r.id = v_run and r.tenant_id = p_tenant and r.status = 'queued')
        when 'agent_run.cancel_requested' then exists (
          select 1 from public.agent_runs r
           where r.id = v_run and r.tenant_id = p_tenant and r.cancel_requested_at is not null)
        else false
      end;
      if not v_matches then
        raise exception '% does not match agent run % as it is, or is written by the worker only',
          p_type, v_run
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
comment on function private.emit_event(text, uuid, uuid, text, jsonb, integer) is 'The only way to write an event: in the caller''s transaction (NOTIFY at commit). Requests must be members of the tenant and attribute the event to themselves or nobody; they write no report.* but report.regenerate_requested (writers, about a report of the tenant), and only writers (owner, admin, member) write scan.queued, scan.cancel_requested, scan.cancelled and scan.deleted, each matching the scan''s state, and agent_run.queued and agent_run.cancel_requested, each matching the run''s state. The service role writes any event.';
