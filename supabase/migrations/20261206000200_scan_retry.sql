-- A stage that failed for a reason that may pass (a timeout, an HTTP 5xx)
-- is tried again a few times within the scan's deadline. While it waits,
-- the scan says so: which try comes next, out of how many, why the last one
-- failed and when the next one starts, so the web page and `scan --wait`
-- can show "retrying (2/3): <cause>, next try at …" instead of a silent
-- "Crawl in progress".

alter table public.scans
  add column retry_attempt smallint check (retry_attempt between 2 and 100),
  add column retry_max_attempts smallint check (retry_max_attempts between 2 and 100),
  add column retry_reason text check (char_length(retry_reason) <= 2000),
  add column retry_at timestamptz,
  add constraint scans_retry_complete check (
    (retry_attempt is null) = (retry_max_attempts is null)
    and (retry_attempt is null) = (retry_reason is null)
    and (retry_attempt is null) = (retry_at is null)
  );

comment on column public.scans.retry_attempt is 'Try of the current stage that comes next (2 = first retry) after a transient failure; null when the stage has not failed.';
comment on column public.scans.retry_max_attempts is 'How many tries the stage gets in all; null when the stage has not failed.';
comment on column public.scans.retry_reason is 'Why the last try failed (e.g. "the start page answered HTTP 503"); null when the stage has not failed.';
comment on column public.scans.retry_at is 'When the next try starts; null when the stage has not failed.';
