-- Static demo data, applied by `supabase db reset` and by the project's
-- seed() (which then adds a demo user with a random password as owner).
insert into public.tenants (slug, name, plan)
values ('demo', 'Demo Company', 'free')
on conflict (slug) do nothing;
