-- A diagram is always handed to the worker: only the worker knows every key that may read it (the
-- tenant's, one the operator assigned, the worker's own deployment key). When none of them is a
-- vision-capable model, the worker records that plainly as `unanalysed`, which is not a failure.
alter table public.design_sessions
  drop constraint design_sessions_image_status_check,
  add constraint design_sessions_image_status_check
    check (image_status in ('analysing', 'analysed', 'failed', 'unanalysed'));

comment on column public.design_sessions.image_status is 'The diagram''s analysis: analysing (the worker''s job is queued or running), analysed, failed (see image_error), or unanalysed (no vision-capable model is configured for the tenant or the worker; image_error says so); null for other sources.';
comment on column public.design_sessions.image_error is 'Why the diagram''s analysis failed (the model''s validation errors or the provider''s failure), or why it was not analysed; null otherwise.';
