-- Rotating a webhook endpoint's signing secret moves the current sealed secret to
-- previous_secret_ciphertext. No request role may read ciphertext (not even to copy it), so the
-- move happens here, for owners and admins of the endpoint's tenant.

create function private.rotate_webhook_secret(
  target_endpoint uuid, new_secret_ciphertext text, new_secret_last4 text, previous_valid_for interval
) returns void
language plpgsql security definer set search_path = '' as $$
declare
  endpoint_tenant uuid;
begin
  select e.tenant_id into endpoint_tenant from public.webhook_endpoints e where e.id = target_endpoint;
  if endpoint_tenant is null
     or (not private.is_trusted_writer()
         and not private.has_tenant_role(endpoint_tenant, '{owner,admin,member,viewer}')) then
    raise exception 'webhook endpoint % does not exist', target_endpoint using errcode = 'P0002';
  end if;
  if not private.is_trusted_writer() and not private.has_tenant_role(endpoint_tenant, '{owner,admin}') then
    raise exception 'only owners and admins rotate webhook secrets' using errcode = '42501';
  end if;
  if previous_valid_for < interval '0' or previous_valid_for > interval '7 days' then
    raise exception 'the previous secret stays valid between 0 and 7 days' using errcode = '22023';
  end if;
  update public.webhook_endpoints
     set previous_secret_ciphertext = secret_ciphertext,
         previous_secret_expires_at = now() + previous_valid_for,
         secret_ciphertext = new_secret_ciphertext,
         secret_last4 = new_secret_last4
   where id = target_endpoint;
end;
$$;
comment on function private.rotate_webhook_secret(uuid, text, text, interval) is 'Replaces a webhook endpoint''s signing secret (owners and admins); the current one becomes the previous secret, which keeps signing for previous_valid_for.';
revoke all on function private.rotate_webhook_secret(uuid, text, text, interval) from public;
grant execute on function private.rotate_webhook_secret(uuid, text, text, interval) to authenticated, service_role;
