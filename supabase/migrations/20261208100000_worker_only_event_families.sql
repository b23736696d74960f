-- Which event families a request may write is private.emit_event's to say (it is the only way to
-- write an event). The worker-only families added beside it (finding.* in the agent triggers'
-- dispatch, integration.* and webhook.* in a trigger of their own) move into it.

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
    -- Families only the worker writes: a request that could write them could start agents
    -- (finding.*), answer a connection test or raise a false alert (integration.*, webhook.*).
    if p_type like 'finding.%' or p_type like 'integration.%' or p_type like 'webhook.%' then
      raise exception '% events are written by the worker only', split_part(p_type, '.', 1)
        using errcode = 'insufficient_privilege';
    end if;
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
comment on function private.emit_event(text, uuid, uuid, text, jsonb, integer) is 'The only way to write an event: in the caller''s transaction (NOTIFY at commit). Requests must be members of the tenant and attribute the event to themselves or nobody; they write no report.* but report.regenerate_requested (writers, about a report of the tenant), and only writers (owner, admin, member) write scan.queued, scan.cancel_requested, scan.cancelled and scan.deleted, each matching the scan''s state, and agent_run.queued and agent_run.cancel_requested, each matching the run''s state. finding.*, integration.* and webhook.* are the worker''s alone. The service role writes any event.';

drop trigger events_integration_from_worker on public.events;
drop function private.refuse_requested_integration_events();

create or replace function private.queue_agent_triggers() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if new.tenant_id is null or not private.is_trusted_writer()
     or to_regprocedure('graphile_worker.add_job(text, json, text, timestamptz, integer, text, integer, text[], text)') is null then
    return null;
  end if;
  perform graphile_worker.add_job(
    identifier := 'agent.trigger_event',
    payload := json_build_object('triggerId', t.id, 'eventId', new.id),
    max_attempts := 5,
    job_key := 'evt:' || t.id::text || ':' || new.id::text,
    job_key_mode := 'preserve_run_at'
  )
  from public.agent_triggers t
  where t.tenant_id = new.tenant_id and t.event_type = new.type and t.enabled;
  return null;
end;
$$;
comment on function private.queue_agent_triggers() is 'After an event is written by the worker: queues agent.trigger_event for each enabled trigger of its tenant and type (job key evt:<triggerId>:<eventId>).';
