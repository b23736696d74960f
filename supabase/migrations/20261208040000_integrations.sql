-- Integrations (issue 15): a tenant's connections to GitHub, Jira, ServiceNow,
-- Slack and outgoing webhooks; its webhook endpoints subscribed to event
-- types; and every delivery attempt the worker makes.
--
-- Secrets (connection credentials, webhook signing secrets) are AES-256-GCM
-- ciphertext sealed by the app (TECHSCANIQ_SECRETS_KEY), bound to the tenant
-- and the row, as tenant AI keys are: writable by admins, readable by the
-- service role only (column privileges); members see their last 4 characters.
-- Owners and admins manage connections and endpoints; every member reads
-- them and the deliveries; the worker (service role) records checks and
-- deliveries. Requests queue tests and replays only through the private
-- functions below, and no request writes integration.* or webhook.* events.

-- ---------------------------------------------------------------- integration_connections
create table public.integration_connections (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  provider text not null check (provider in ('github', 'jira', 'servicenow', 'slack', 'webhook')),
  name text not null check (char_length(btrim(name)) between 1 and 100),
  config jsonb not null default '{}'::jsonb check (jsonb_typeof(config) = 'object'),
  credentials_ciphertext text check (credentials_ciphertext ~ '^v1\.'),
  credentials_last4 text check (char_length(credentials_last4) between 1 and 4),
  status text not null default 'untested' check (status in ('untested', 'ok', 'failing')),
  last_checked_at timestamptz,
  last_check_ok boolean,
  last_check_latency_ms integer check (last_check_latency_ms >= 0),
  last_error text check (char_length(last_error) <= 2000),
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, id),
  unique (tenant_id, name),
  constraint integration_connections_credentials_hint
    check ((credentials_ciphertext is null) = (credentials_last4 is null))
);
comment on table public.integration_connections is 'A tenant''s connection to an external system (GitHub, Jira, ServiceNow, Slack, an outgoing webhook): its settings, sealed credentials and the last connection check. Admins manage them; members read and use them (tests, agent actions).';
comment on column public.integration_connections.id is 'Connection id.';
comment on column public.integration_connections.tenant_id is 'Owning tenant; RLS limits every read and write to its members.';
comment on column public.integration_connections.provider is 'github, jira, servicenow, slack or webhook.';
comment on column public.integration_connections.name is 'Name, unique in the tenant (1–100 characters).';
comment on column public.integration_connections.config is 'Provider settings without secrets (instance, site, org, channel, URL…), validated per provider by the app (contracts/integrations).';
comment on column public.integration_connections.credentials_ciphertext is 'The credentials (token, API token, password, signing secret) as JSON, AES-256-GCM sealed by the app, bound to tenant and connection. Readable by the service role only.';
comment on column public.integration_connections.credentials_last4 is 'Last 4 characters of the main secret, to tell credentials apart; null when none is stored.';
comment on column public.integration_connections.status is 'untested (never checked), ok (last check passed) or failing (last check failed).';
comment on column public.integration_connections.last_checked_at is 'When the worker last made the authenticated test read.';
comment on column public.integration_connections.last_check_ok is 'Whether the last test read succeeded; null before the first.';
comment on column public.integration_connections.last_check_latency_ms is 'Duration of the last test read in milliseconds.';
comment on column public.integration_connections.last_error is 'The provider''s reason the last check failed (never a secret); null when it passed.';
comment on column public.integration_connections.created_by is 'Admin who created the connection; null once that user is deleted.';
comment on column public.integration_connections.created_at is 'When the connection was created.';
comment on column public.integration_connections.updated_at is 'Last change of any column.';

create trigger integration_connections_set_updated_at before update on public.integration_connections
  for each row execute function private.set_updated_at();
create index integration_connections_created_by_idx on public.integration_connections (created_by);

-- ---------------------------------------------------------------- webhook_endpoints
create table public.webhook_endpoints (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  url text not null check (url ~ '^https?://' and char_length(url) <= 2048),
  description text not null default '' check (char_length(description) <= 500),
  event_types text[] not null check (cardinality(event_types) between 1 and 50),
  secret_ciphertext text not null check (secret_ciphertext ~ '^v1\.'),
  secret_last4 text not null check (char_length(secret_last4) between 1 and 4),
  previous_secret_ciphertext text check (previous_secret_ciphertext ~ '^v1\.'),
  previous_secret_expires_at timestamptz,
  enabled boolean not null default true,
  disabled_reason text check (char_length(disabled_reason) <= 2000),
  disabled_at timestamptz,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, id),
  constraint webhook_endpoints_previous_secret
    check ((previous_secret_ciphertext is null) = (previous_secret_expires_at is null)),
  constraint webhook_endpoints_disabled check (enabled or disabled_at is not null)
);
comment on table public.webhook_endpoints is 'A tenant''s webhook endpoint: the URL that receives its events of the subscribed types, signed the Standard Webhooks way with the endpoint''s whsec_ secret (and, for 24 h after a rotation, the previous one too).';
comment on column public.webhook_endpoints.id is 'Endpoint id.';
comment on column public.webhook_endpoints.tenant_id is 'Owning tenant; RLS limits every read and write to its members.';
comment on column public.webhook_endpoints.url is 'Where deliveries are POSTed (http or https). Private addresses are refused at send time unless the operator allows them.';
comment on column public.webhook_endpoints.description is 'What the endpoint is for (at most 500 characters).';
comment on column public.webhook_endpoints.event_types is 'Event types the endpoint receives (e.g. scan.completed), from the catalog in contracts/integrations.';
comment on column public.webhook_endpoints.secret_ciphertext is 'The signing secret (whsec_…), AES-256-GCM sealed by the app, bound to tenant and endpoint. Readable by the service role only.';
comment on column public.webhook_endpoints.secret_last4 is 'Last 4 characters of the signing secret.';
comment on column public.webhook_endpoints.previous_secret_ciphertext is 'The secret replaced by the last rotation, sealed; deliveries carry a signature with it too until previous_secret_expires_at.';
comment on column public.webhook_endpoints.previous_secret_expires_at is 'When the previous secret stops signing (24 h after the rotation).';
comment on column public.webhook_endpoints.enabled is 'False once disabled (the receiver answered 410 Gone, or an admin turned it off): nothing is sent.';
comment on column public.webhook_endpoints.disabled_reason is 'Why the endpoint was disabled; null while enabled.';
comment on column public.webhook_endpoints.disabled_at is 'When the endpoint was disabled; null while it never was.';
comment on column public.webhook_endpoints.created_by is 'Admin who created the endpoint; null once that user is deleted.';
comment on column public.webhook_endpoints.created_at is 'When the endpoint was created.';
comment on column public.webhook_endpoints.updated_at is 'Last change of any column.';

create trigger webhook_endpoints_set_updated_at before update on public.webhook_endpoints
  for each row execute function private.set_updated_at();
create index webhook_endpoints_tenant_id_idx on public.webhook_endpoints (tenant_id) where enabled;
create index webhook_endpoints_created_by_idx on public.webhook_endpoints (created_by);

-- ---------------------------------------------------------------- integration_deliveries
create table public.integration_deliveries (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  connection_id uuid,
  endpoint_id uuid,
  agent_run_id uuid,
  agent_step_seq integer check (agent_step_seq >= 1),
  event_id bigint,
  action text not null check (action ~ '^[a-z][a-z0-9_]*\.[a-z][a-z0-9_.]*$' and char_length(action) <= 64),
  idempotency_key text not null check (char_length(idempotency_key) between 1 and 200),
  attempt integer not null check (attempt >= 1),
  requested_by uuid references auth.users (id) on delete set null,
  payload jsonb not null check (jsonb_typeof(payload) = 'object'),
  request jsonb not null default '{}'::jsonb check (jsonb_typeof(request) = 'object'),
  state text not null default 'sending' check (state in ('sending', 'succeeded', 'retrying', 'failed')),
  response_status integer check (response_status between 100 and 599),
  response_excerpt text check (char_length(response_excerpt) <= 1000),
  external_id text check (char_length(external_id) <= 200),
  latency_ms integer check (latency_ms >= 0),
  error text check (char_length(error) <= 2000),
  next_retry_at timestamptz,
  created_at timestamptz not null default now(),
  finished_at timestamptz,
  unique (tenant_id, idempotency_key, attempt),
  foreign key (tenant_id, connection_id)
    references public.integration_connections (tenant_id, id) on delete cascade,
  foreign key (tenant_id, endpoint_id) references public.webhook_endpoints (tenant_id, id) on delete cascade,
  foreign key (tenant_id, agent_run_id)
    references public.agent_runs (tenant_id, id) on delete set null (agent_run_id),
  constraint integration_deliveries_target check (num_nonnulls(connection_id, endpoint_id) = 1),
  constraint integration_deliveries_retry check ((state = 'retrying') = (next_retry_at is not null)),
  constraint integration_deliveries_finished check ((state = 'sending') = (finished_at is null))
);
comment on table public.integration_deliveries is 'Every attempt to deliver something outside: a webhook event to an endpoint, an action (issue, incident, message) or a test through a connection. One row per attempt, with what was sent (no secrets), the answer, latency and the next retry. Written by the worker; members read them.';
comment on column public.integration_deliveries.id is 'Attempt id.';
comment on column public.integration_deliveries.tenant_id is 'Owning tenant; RLS limits reads to its members.';
comment on column public.integration_deliveries.connection_id is 'Connection the action went through; null for webhook endpoint deliveries.';
comment on column public.integration_deliveries.endpoint_id is 'Webhook endpoint the event went to; null for connection actions.';
comment on column public.integration_deliveries.agent_run_id is 'Agent run that proposed the action, if any (null once the run is deleted).';
comment on column public.integration_deliveries.agent_step_seq is 'Step of that run that proposed the action.';
comment on column public.integration_deliveries.event_id is 'Event (public.events id) a webhook delivery carries; null for actions.';
comment on column public.integration_deliveries.action is 'What was delivered: webhook.event, webhook.post, jira.create_issue, …';
comment on column public.integration_deliveries.idempotency_key is 'The intended action''s job key (webhook:<endpoint>:<event>, action:<run>:<step>): every attempt and replay of one action shares it, and a webhook''s webhook-id derives from it.';
comment on column public.integration_deliveries.attempt is 'Attempt number for this idempotency key, 1, 2, … (replays continue the count).';
comment on column public.integration_deliveries.requested_by is 'Member who asked for a replay; null for automatic attempts.';
comment on column public.integration_deliveries.payload is 'The integration.deliver job payload the attempt ran (event reference or action input), so a replay sends the same.';
comment on column public.integration_deliveries.request is 'What was sent, without secrets: method, URL, non-secret headers (webhook-id, webhook-timestamp), body excerpt.';
comment on column public.integration_deliveries.state is 'sending (in flight, or the worker stopped mid-send), succeeded, retrying (failed; next attempt at next_retry_at) or failed (no more attempts).';
comment on column public.integration_deliveries.response_status is 'HTTP status the receiver answered; null when none came (timeout, refused address, network error).';
comment on column public.integration_deliveries.response_excerpt is 'First characters of the answer''s body, as the receiver sent it (untrusted text).';
comment on column public.integration_deliveries.external_id is 'What the provider created (issue key, incident number, message ts), when it says.';
comment on column public.integration_deliveries.latency_ms is 'Time from sending to the answer (or the failure) in milliseconds.';
comment on column public.integration_deliveries.error is 'Why the attempt failed; null when it succeeded.';
comment on column public.integration_deliveries.next_retry_at is 'When the next attempt runs (Standard Webhooks schedule with jitter, or the receiver''s Retry-After); set only while retrying.';
comment on column public.integration_deliveries.created_at is 'When the attempt started.';
comment on column public.integration_deliveries.finished_at is 'When the attempt ended; null while sending.';

create index integration_deliveries_tenant_created_idx
  on public.integration_deliveries (tenant_id, created_at desc, id desc);
create index integration_deliveries_connection_idx on public.integration_deliveries (tenant_id, connection_id);
create index integration_deliveries_endpoint_idx on public.integration_deliveries (tenant_id, endpoint_id);
create index integration_deliveries_agent_run_idx on public.integration_deliveries (tenant_id, agent_run_id);
create index integration_deliveries_requested_by_idx on public.integration_deliveries (requested_by);

-- ---------------------------------------------------------------- RLS
alter table public.integration_connections enable row level security;
alter table public.webhook_endpoints enable row level security;
alter table public.integration_deliveries enable row level security;

revoke all on public.integration_connections, public.webhook_endpoints, public.integration_deliveries
  from anon, authenticated;
grant all on public.integration_connections, public.webhook_endpoints, public.integration_deliveries
  to service_role;
-- Sealed columns are writable by admins but readable by the service role only.
grant select (
  id, tenant_id, provider, name, config, credentials_last4, status, last_checked_at, last_check_ok,
  last_check_latency_ms, last_error, created_by, created_at, updated_at
) on public.integration_connections to authenticated;
grant insert (id, tenant_id, provider, name, config, credentials_ciphertext, credentials_last4, created_by),
  update (name, config, credentials_ciphertext, credentials_last4), delete
  on public.integration_connections to authenticated;
grant select (
  id, tenant_id, url, description, event_types, secret_last4, previous_secret_expires_at, enabled,
  disabled_reason, disabled_at, created_by, created_at, updated_at
) on public.webhook_endpoints to authenticated;
grant insert (id, tenant_id, url, description, event_types, secret_ciphertext, secret_last4, created_by),
  update (url, description, event_types, secret_ciphertext, secret_last4, previous_secret_ciphertext,
          previous_secret_expires_at, enabled, disabled_reason, disabled_at), delete
  on public.webhook_endpoints to authenticated;
grant select on public.integration_deliveries to authenticated;

create policy "Members read their tenants' connections" on public.integration_connections
  for select to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin,member,viewer}'))::uuid[]));
create policy "Admins create connections in their tenants" on public.integration_connections
  for insert to authenticated
  with check (
    tenant_id = any ((select private.tenant_ids('{owner,admin}'))::uuid[])
    and (created_by is null or created_by = (select auth.uid()))
  );
create policy "Admins change their tenants' connections" on public.integration_connections
  for update to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin}'))::uuid[]))
  with check (tenant_id = any ((select private.tenant_ids('{owner,admin}'))::uuid[]));
create policy "Admins delete their tenants' connections" on public.integration_connections
  for delete to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin}'))::uuid[]));

create policy "Members read their tenants' webhook endpoints" on public.webhook_endpoints
  for select to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin,member,viewer}'))::uuid[]));
create policy "Admins create webhook endpoints in their tenants" on public.webhook_endpoints
  for insert to authenticated
  with check (
    tenant_id = any ((select private.tenant_ids('{owner,admin}'))::uuid[])
    and (created_by is null or created_by = (select auth.uid()))
  );
create policy "Admins change their tenants' webhook endpoints" on public.webhook_endpoints
  for update to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin}'))::uuid[]))
  with check (tenant_id = any ((select private.tenant_ids('{owner,admin}'))::uuid[]));
create policy "Admins delete their tenants' webhook endpoints" on public.webhook_endpoints
  for delete to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin}'))::uuid[]));

create policy "Members read their tenants' deliveries" on public.integration_deliveries
  for select to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin,member,viewer}'))::uuid[]));

-- ---------------------------------------------------------------- events only from the worker
-- Test results, endpoint disabling and delivery events are the worker's: a request that could
-- emit them could answer a connection test or raise a false alert.
create function private.refuse_requested_integration_events() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if not private.is_trusted_writer()
     and (starts_with(new.type, 'integration.') or starts_with(new.type, 'webhook.')) then
    raise exception '% events are written by the worker only', new.type using errcode = '42501';
  end if;
  return new;
end;
$$;
comment on function private.refuse_requested_integration_events() is 'Refuses integration.* and webhook.* events written by a request (they come from the worker only).';
revoke all on function private.refuse_requested_integration_events() from public;
create trigger events_integration_from_worker before insert on public.events
  for each row execute function private.refuse_requested_integration_events();

-- ---------------------------------------------------------------- webhook fan-out
-- The events outbox's webhook consumer: in the transaction that writes an event, one
-- integration.deliver job per enabled endpoint of the tenant subscribed to its type, under job key
-- webhook:<endpoint>:<event>. It runs once per event (the insert), so it is idempotent on the event
-- id; the job key also de-duplicates a re-queue.
create function private.fan_out_webhook_event() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  endpoint_id uuid;
begin
  if new.tenant_id is null or to_regprocedure(
    'graphile_worker.add_job(text, json, text, timestamptz, integer, text, integer, text[], text)') is null then
    return null; -- no worker has installed its schema yet: nobody could deliver
  end if;
  for endpoint_id in
    select e.id from public.webhook_endpoints e
     where e.tenant_id = new.tenant_id and e.enabled and new.type = any (e.event_types)
  loop
    perform graphile_worker.add_job(
      identifier := 'integration.deliver',
      payload := json_build_object('kind', 'webhook', 'endpointId', endpoint_id, 'eventId', new.id),
      max_attempts := 3,
      job_key := 'webhook:' || endpoint_id::text || ':' || new.id::text,
      job_key_mode := 'preserve_run_at'
    );
  end loop;
  return null;
end;
$$;
comment on function private.fan_out_webhook_event() is 'For each new event, queues one integration.deliver job per enabled webhook endpoint of its tenant subscribed to its type (job key webhook:<endpoint>:<event>).';
revoke all on function private.fan_out_webhook_event() from public;
create trigger events_fan_out_webhooks after insert on public.events
  for each row execute function private.fan_out_webhook_event();

-- ---------------------------------------------------------------- queueing from requests
-- A member asks the worker to check a connection; the result comes back as the event
-- integration.connection_tested with subject = request id.
create function private.request_connection_test(target_connection uuid, request_id uuid)
returns void
language plpgsql security definer set search_path = '' as $$
declare
  connection_tenant uuid;
begin
  select c.tenant_id into connection_tenant from public.integration_connections c where c.id = target_connection;
  if connection_tenant is null
     or (not private.is_trusted_writer()
         and not private.has_tenant_role(connection_tenant, '{owner,admin,member,viewer}')) then
    raise exception 'connection % does not exist', target_connection using errcode = 'P0002';
  end if;
  if not private.is_trusted_writer() and not private.has_tenant_role(connection_tenant, '{owner,admin,member}') then
    raise exception 'not allowed to test connection %', target_connection using errcode = '42501';
  end if;
  if to_regprocedure('graphile_worker.add_job(text, json, text, timestamptz, integer, text, integer, text[], text)') is null then
    raise exception 'no worker has started yet: connections are tested by the worker' using errcode = '55000';
  end if;
  perform graphile_worker.add_job(
    identifier := 'integration.test_connection',
    payload := json_build_object('connectionId', target_connection, 'requestId', request_id),
    max_attempts := 1
  );
end;
$$;
comment on function private.request_connection_test(uuid, uuid) is 'Queues integration.test_connection for a connection (writers of its tenant); the worker answers with the event integration.connection_tested whose subject is request_id.';
revoke all on function private.request_connection_test(uuid, uuid) from public;
grant execute on function private.request_connection_test(uuid, uuid) to authenticated, service_role;

-- A member sends a delivery again: a new attempt of the same intended action (same idempotency key,
-- so a webhook keeps its webhook-id), now.
create function private.replay_integration_delivery(target_delivery uuid)
returns void
language plpgsql security definer set search_path = '' as $$
declare
  delivery public.integration_deliveries;
begin
  select * into delivery from public.integration_deliveries d where d.id = target_delivery;
  if delivery.id is null
     or (not private.is_trusted_writer()
         and not private.has_tenant_role(delivery.tenant_id, '{owner,admin,member,viewer}')) then
    raise exception 'delivery % does not exist', target_delivery using errcode = 'P0002';
  end if;
  if not private.is_trusted_writer() and not private.has_tenant_role(delivery.tenant_id, '{owner,admin,member}') then
    raise exception 'not allowed to replay delivery %', target_delivery using errcode = '42501';
  end if;
  if to_regprocedure('graphile_worker.add_job(text, json, text, timestamptz, integer, text, integer, text[], text)') is null then
    raise exception 'no worker has started yet: deliveries are sent by the worker' using errcode = '55000';
  end if;
  perform graphile_worker.add_job(
    identifier := 'integration.deliver',
    payload := (delivery.payload - 'replayRequestedBy'
                || jsonb_build_object('replayRequestedBy', auth.uid()))::json,
    max_attempts := 3,
    job_key := delivery.idempotency_key,
    job_key_mode := 'replace'
  );
end;
$$;
comment on function private.replay_integration_delivery(uuid) is 'Queues a new attempt of a delivery''s action now (writers of its tenant), under the same idempotency key: a webhook keeps its webhook-id.';
revoke all on function private.replay_integration_delivery(uuid) from public;
grant execute on function private.replay_integration_delivery(uuid) to authenticated, service_role;
