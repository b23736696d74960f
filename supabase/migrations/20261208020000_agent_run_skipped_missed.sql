-- Schedules record the slots they did not run as runs (see 20261208020010_agent_schedules.sql):
-- `skipped` (an earlier run of the schedule was still going and its overlap policy said skip)
-- and `missed` (the slot passed while no worker ticked, beyond the schedule's catch-up window).
-- New enum values must be committed before use, hence this file of its own.
alter type public.agent_run_status add value if not exists 'skipped';
alter type public.agent_run_status add value if not exists 'missed';
comment on type public.agent_run_status is 'queued → running → (waiting_approval → queued →) succeeded | failed | cancelled | budget_exceeded; a schedule''s slot that did not run is skipped (overlap) or missed (outside the catch-up window).';
