-- private.tenant_roles() behind every tenant policy, rewritten from PL/pgSQL
-- to one SQL statement with the same result. Every RLS-protected request
-- calls it at least twice (the API's tenant-role check and each policy's
-- InitPlan); as SQL it no longer pays PL/pgSQL's per-call set-returning
-- overhead, which `./techscaniq bench rls` showed as about half of the cost
-- of RLS on a tenant list call. The API key branch and the membership
-- branch exclude each other on the same claim, as before.
create or replace function private.tenant_roles() returns table (tenant_id uuid, role text)
language sql stable security definer set search_path = '' as $$
  -- A token minted for an API key acts only through that key, never through
  -- the memberships of whoever created it.
  select k.tenant_id,
         case when 'admin' = any (k.scopes) then 'admin'
              when 'write' = any (k.scopes) then 'member'
              else 'viewer' end
    from public.api_keys k
   where auth.jwt() -> 'app_metadata' ->> 'api_key_id' is not null
     and k.id = private.current_api_key_id()
     and k.revoked_at is null
     and (k.expires_at is null or k.expires_at > now())
  union all
  select m.tenant_id, m.role
    from public.memberships m
   where auth.jwt() -> 'app_metadata' ->> 'api_key_id' is null
     and m.user_id = auth.uid()
$$;
