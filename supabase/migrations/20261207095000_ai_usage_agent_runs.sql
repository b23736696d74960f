-- Agent runs' model calls are metered into ai_usage like report calls, so the
-- tenant's usage (calls, tokens, cost) covers agents too. Each row of an agent's
-- model step names its run; the key includes tenant_id, like every reference
-- between tenant tables, and a deleted run leaves its usage for analytics.
alter table public.ai_usage
  add column agent_run_id uuid,
  add constraint ai_usage_agent_run_id_fkey foreign key (tenant_id, agent_run_id)
    references public.agent_runs (tenant_id, id) on delete set null (agent_run_id);

create index ai_usage_agent_run_id_idx on public.ai_usage (agent_run_id);

comment on column public.ai_usage.agent_run_id is 'Agent run whose model step made the call (task runAgent); null for report calls and once the run is deleted.';
comment on column public.ai_usage.task is 'Task: writeSection, verifyClaim, rewriteClaim, summarise or scoreThesis for reports; runAgent for an agent run''s model step; analyzeDiagram for the design wizard''s diagram analysis.';
