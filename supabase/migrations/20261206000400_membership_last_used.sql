-- Which tenant a user worked in last, so signing in can make it active again
-- (the browser's active-tenant cookie is cleared on sign-out).

alter table public.memberships add column last_used_at timestamptz;
comment on column public.memberships.last_used_at is
  'When the member last made this tenant their active one; signing in picks the most recent (null: never chosen).';

create function public.mark_tenant_used(p_tenant_id uuid) returns void
language sql security definer set search_path = '' as $$
  update public.memberships set last_used_at = now()
   where tenant_id = p_tenant_id and user_id = (select auth.uid());
$$;
comment on function public.mark_tenant_used(uuid) is
  'Records that the signed-in caller made this tenant active; touches only their own membership (members may not update memberships otherwise).';
revoke all on function public.mark_tenant_used(uuid) from public, anon;
grant execute on function public.mark_tenant_used(uuid) to authenticated, service_role;
