-- Member invitations: consent, and no account oracle.
--
-- tenant.members.invite used to look the address up in auth.users and add
-- the account as a member at once: the answer told any admin whether an
-- address had an account, and nobody was asked. Now an invite only records a
-- pending invitation (the same whether or not the address has an account);
-- the invitee sees it after signing in with that (confirmed) address and
-- accepts or declines it. Accepting creates the membership.

create table public.invitations (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references public.tenants (id) on delete cascade,
  email text not null
    constraint invitations_email_normalized check (email = lower(btrim(email)) and email like '_%@_%'),
  role text not null
    constraint invitations_role_valid check (role in ('owner', 'admin', 'member', 'viewer')),
  invited_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null default now() + interval '14 days',
  accepted_at timestamptz,
  declined_at timestamptz,
  revoked_at timestamptz,
  constraint invitations_one_outcome check (num_nonnulls(accepted_at, declined_at, revoked_at) <= 1)
);
-- One open invitation per address and tenant: inviting again refreshes it.
create unique index invitations_open_key on public.invitations (tenant_id, email)
  where accepted_at is null and declined_at is null and revoked_at is null;
create index invitations_email_idx on public.invitations (email);

comment on table public.invitations is 'Invitations to join a tenant. Admins create, refresh and revoke them; the invitee (signed in with the confirmed address) accepts (public.accept_invitation, which creates the membership) or declines (public.decline_invitation). Creating one never reveals whether the address has an account.';
comment on column public.invitations.id is 'Invitation id.';
comment on column public.invitations.tenant_id is 'The tenant the invitee is asked to join.';
comment on column public.invitations.email is 'The invitee''s e-mail address, trimmed and lower-cased; whoever signs in with this confirmed address may accept.';
comment on column public.invitations.role is 'The role the membership gets on acceptance (owner only when an owner invited).';
comment on column public.invitations.invited_by is 'The user who invited (or last refreshed the invitation); null for an API key or a deleted user.';
comment on column public.invitations.created_at is 'When the invitation was first created.';
comment on column public.invitations.expires_at is 'After this it can no longer be accepted; inviting again extends it.';
comment on column public.invitations.accepted_at is 'When the invitee accepted (the membership was created then).';
comment on column public.invitations.declined_at is 'When the invitee declined.';
comment on column public.invitations.revoked_at is 'When an admin of the tenant revoked it.';

-- The caller's own confirmed address, for users only (an API key never acts as its creator).
-- auth.users is not readable by `authenticated`; this reveals only the caller's own address.
-- plpgsql, whose body is resolved when called: a pre-existing auth.users without Supabase's
-- email_confirmed_at column (the bootstrap's "leave it alone" case) must not stop the migration.
create function private.current_user_email() returns text
language plpgsql stable security definer set search_path = '' as $$
begin
  if auth.jwt() -> 'app_metadata' ->> 'api_key_id' is not null then
    return null;
  end if;
  return (select lower(u.email) from auth.users u
           where u.id = auth.uid() and u.email_confirmed_at is not null);
end
$$;
comment on function private.current_user_email() is 'The signed-in user''s confirmed e-mail address, lower-cased; null for API keys, anonymous callers and unconfirmed addresses.';

revoke all on public.invitations from anon, authenticated;
grant all on public.invitations to service_role;
grant select, insert, update (role, invited_by, expires_at, revoked_at)
  on public.invitations to authenticated;

alter table public.invitations enable row level security;

create policy invitations_select on public.invitations for select to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin}'))::uuid[])
         or email = (select private.current_user_email()));
-- Admins invite; only owners invite owners. The inviter is the caller or nobody (API key).
create policy invitations_insert on public.invitations for insert to authenticated
  with check (tenant_id = any ((select private.tenant_ids('{owner,admin}'))::uuid[])
              and (role <> 'owner' or tenant_id = any ((select private.tenant_ids('{owner}'))::uuid[]))
              and (invited_by is null or invited_by = (select auth.uid()))
              and accepted_at is null and declined_at is null and revoked_at is null);
create policy invitations_update on public.invitations for update to authenticated
  using (tenant_id = any ((select private.tenant_ids('{owner,admin}'))::uuid[])
         and (role <> 'owner' or tenant_id = any ((select private.tenant_ids('{owner}'))::uuid[])))
  with check (tenant_id = any ((select private.tenant_ids('{owner,admin}'))::uuid[])
              and (role <> 'owner' or tenant_id = any ((select private.tenant_ids('{owner}'))::uuid[]))
              and (invited_by is null or invited_by = (select auth.uid())));

-- The invitee's answers. Security definer: the invitee is not (yet) a member, so they can neither update the
-- invitation nor insert the membership under RLS. Each locks the invitation, acts only on one addressed
-- to the caller's confirmed address, and reports the state it found or left:
-- null (no such invitation for the caller), or {id, tenant_id, role, state}.
create function public.accept_invitation(p_id uuid) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  v_email text := private.current_user_email();
  v_inv public.invitations;
  v_state text;
begin
  if v_email is null then
    raise exception 'Accepting an invitation requires a signed-in user with a confirmed e-mail address.'
      using errcode = 'insufficient_privilege';
  end if;
  select * into v_inv from public.invitations i where i.id = p_id and i.email = v_email for update;
  if not found then
    return null;
  end if;
  v_state := case
    when v_inv.accepted_at is not null then 'already_accepted'
    when v_inv.declined_at is not null then 'declined'
    when v_inv.revoked_at is not null then 'revoked'
    when v_inv.expires_at <= now() then 'expired'
    else 'accepted'
  end;
  if v_state = 'accepted' then
    -- Someone already a member keeps their role: an invitation never changes an existing membership.
    insert into public.memberships (tenant_id, user_id, role)
    values (v_inv.tenant_id, auth.uid(), v_inv.role)
    on conflict on constraint memberships_tenant_user_key do nothing;
    update public.invitations i set accepted_at = now() where i.id = v_inv.id;
  end if;
  return jsonb_build_object('id', v_inv.id, 'tenant_id', v_inv.tenant_id, 'role', v_inv.role,
                            'state', v_state);
end
$$;
comment on function public.accept_invitation(uuid) is 'The invitee accepts an open, unexpired invitation addressed to their confirmed e-mail: creates the membership with the invited role and marks it accepted. Returns null when no such invitation is addressed to the caller, else {id, tenant_id, role, state} with state accepted, already_accepted, declined, revoked or expired (nothing changed in the last four).';

create function public.decline_invitation(p_id uuid) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  v_email text := private.current_user_email();
  v_inv public.invitations;
  v_state text;
begin
  if v_email is null then
    raise exception 'Declining an invitation requires a signed-in user with a confirmed e-mail address.'
      using errcode = 'insufficient_privilege';
  end if;
  select * into v_inv from public.invitations i where i.id = p_id and i.email = v_email for update;
  if not found then
    return null;
  end if;
  v_state := case
    when v_inv.declined_at is not null then 'already_declined'
    when v_inv.accepted_at is not null then 'accepted'
    when v_inv.revoked_at is not null then 'revoked'
    when v_inv.expires_at <= now() then 'expired'
    else 'declined'
  end;
  if v_state = 'declined' then
    update public.invitations i set declined_at = now() where i.id = v_inv.id;
  end if;
  return jsonb_build_object('id', v_inv.id, 'tenant_id', v_inv.tenant_id, 'role', v_inv.role,
                            'state', v_state);
end
$$;
comment on function public.decline_invitation(uuid) is 'The invitee declines an open, unexpired invitation addressed to their confirmed e-mail. Returns null when no such invitation is addressed to the caller, else {id, tenant_id, role, state} with state declined, already_declined, accepted, revoked or expired (nothing changed in the last four).';

revoke all on function private.current_user_email(), public.accept_invitation(uuid),
  public.decline_invitation(uuid) from public, anon;
grant execute on function private.current_user_email(), public.accept_invitation(uuid),
  public.decline_invitation(uuid) to authenticated, service_role;
