-- A diagram analysed by a vision-capable model: the API stores the image (bucket artifacts, the tenant's
-- prefix) and queues design.analyze_image; the worker writes the analysis, or why there is none.
alter table public.design_sessions
  drop constraint design_sessions_source_check,
  add constraint design_sessions_source_check check (source in ('text', 'model', 'image')),
  add column image_path text check (char_length(image_path) <= 1024),
  add column image_status text check (image_status in ('analysing', 'analysed', 'failed')),
  add column image_error text check (char_length(image_error) <= 2000),
  add constraint design_sessions_image_check
    check ((source = 'image') = (image_path is not null and image_status is not null));

comment on column public.design_sessions.source is 'What the analysis started from: text (requirements in prose), model (a capability model file) or image (a diagram a vision-capable model analysed).';
comment on column public.design_sessions.image_path is 'Object path of the diagram (bucket artifacts, under the tenant''s id) when the session started from an image.';
comment on column public.design_sessions.image_status is 'The diagram''s analysis: analysing (the worker''s job is queued or running), analysed, or failed (see image_error); null for other sources.';
comment on column public.design_sessions.image_error is 'Why the diagram''s analysis failed (the model''s validation errors or the provider''s failure); null otherwise.';

-- The API queues the diagram's analysis in the transaction that starts the session, as the member.
create function private.enqueue_design_image_job(target_session uuid)
returns void
language plpgsql security definer set search_path = '' as $$
declare
  session_tenant uuid;
begin
  select s.tenant_id into session_tenant from public.design_sessions s
   where s.id = target_session and s.source = 'image';
  if session_tenant is null then
    raise exception 'design session % with an image does not exist', target_session using errcode = 'P0002';
  end if;
  if not private.is_trusted_writer() and not private.has_tenant_role(session_tenant, '{owner,admin,member}') then
    raise exception 'not allowed to queue design session %', target_session using errcode = '42501';
  end if;
  perform graphile_worker.add_job(
    identifier := 'design.analyze_image',
    payload := json_build_object('sessionId', target_session),
    max_attempts := 3,
    job_key := 'design_image:' || target_session::text,
    job_key_mode := 'replace'
  );
end;
$$;
comment on function private.enqueue_design_image_job(uuid) is 'Queues the design.analyze_image graphile-worker job of a design session started from a diagram, under job key design_image:<id> (replaces, never duplicates). Callable by writers of the session''s tenant and the service role.';
revoke all on function private.enqueue_design_image_job(uuid) from public;
grant execute on function private.enqueue_design_image_job(uuid) to authenticated, service_role;
