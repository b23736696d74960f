"use client";

import type { RouterOutputs } from "@techscaniq/api/client";
import { useState, type FormEvent } from "react";
import {
  errorBodyOf,
  errorMessageOf,
  noFormErrors,
  toFormErrors,
  type FormErrors,
} from "../../lib/api-error";
import { formatDateTime } from "../../lib/format";
import { trpc } from "../../lib/trpc";
import { Badge } from "../ui/badge";
import { Button } from "../ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "../ui/card";
import { FieldError, FormAlert } from "../ui/field-error";
import { Label } from "../ui/label";
import { Select } from "../ui/select";
import { SkeletonRows } from "../ui/skeleton";
import { ErrorState } from "../ui/states";
import { TextField } from "../ui/text-field";

type Role = RouterOutputs["tenant"]["members"]["list"][number]["role"];
const ROLES = ["viewer", "member", "admin", "owner"] as const satisfies readonly Role[];
const ROLE_HELP: Record<Role, string> = {
  viewer: "reads scans and reports",
  member: "also starts and manages scans",
  admin: "also manages members and API keys",
  owner: "everything, including owners",
};

function InviteForm() {
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("member");
  const [errors, setErrors] = useState<FormErrors>(noFormErrors);
  const utils = trpc.useUtils();
  const invite = trpc.tenant.members.invite.useMutation({
    onSuccess: () => utils.tenant.invitations.list.invalidate(),
  });

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setErrors(noFormErrors);
    try {
      await invite.mutateAsync({ email, role });
      setEmail("");
    } catch (error) {
      setErrors(toFormErrors(errorBodyOf(error), ["email", "role"]));
    }
  }

  return (
    <form onSubmit={submit} noValidate className="flex flex-col gap-3" aria-label="Invite a member">
      <FormAlert message={errors.message} />
      <div className="grid gap-3 sm:grid-cols-[minmax(0,1fr)_10rem_auto] sm:items-start">
        <TextField
          name="email"
          label="E-mail"
          type="email"
          autoComplete="off"
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          errors={errors.fields.email}
          hint="They join when they accept, after signing in (or signing up) with this address."
        />
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="invite-role">Role</Label>
          <Select id="invite-role" value={role} onChange={(event) => setRole(event.target.value as Role)}>
            {ROLES.map((entry) => (
              <option key={entry} value={entry}>
                {entry}
              </option>
            ))}
          </Select>
          <FieldError id="invite-role-error" messages={errors.fields.role} />
        </div>
        <Button type="submit" pending={invite.isPending} className="sm:mt-6.5">
          Invite
        </Button>
      </div>
    </form>
  );
}

/** Open invitations, for admins: nobody joins until the invitee accepts; revoking withdraws one. */
function PendingInvitationList() {
  const invitations = trpc.tenant.invitations.list.useQuery();
  const utils = trpc.useUtils();
  const revoke = trpc.tenant.invitations.revoke.useMutation({
    onSuccess: () => utils.tenant.invitations.list.invalidate(),
  });
  if (invitations.isPending) return <SkeletonRows rows={1} label="Loading invitations" />;
  if (invitations.isError) return <ErrorState message={errorMessageOf(invitations.error)} />;
  if (invitations.data.length === 0) return null;
  const now = Date.now();
  return (
    <div className="flex flex-col gap-2">
      {revoke.error ? <ErrorState title="That did not work" message={errorMessageOf(revoke.error)} /> : null}
      <ul
        className="divide-y divide-border rounded-(--radius-control) border border-border"
        aria-label="Pending invitations"
      >
        {invitations.data.map((invitation) => (
          <li
            key={invitation.id}
            className="flex flex-col gap-2 px-4 py-3 sm:flex-row sm:items-center sm:gap-4"
            data-testid="pending-invitation"
          >
            <div className="flex min-w-0 flex-1 flex-col">
              <span className="truncate text-sm font-medium">
                {invitation.email} <Badge className="ml-1">{invitation.role}</Badge>
              </span>
              <span className="text-xs text-muted-foreground">
                {Date.parse(invitation.expiresAt) <= now ? "expired" : "invited, until"}{" "}
                {formatDateTime(invitation.expiresAt)}
              </span>
            </div>
            <Button
              variant="ghost"
              size="sm"
              aria-label={`Revoke the invitation of ${invitation.email}`}
              onClick={() => revoke.mutate({ invitationId: invitation.id })}
              pending={revoke.isPending && revoke.variables?.invitationId === invitation.id}
            >
              Revoke
            </Button>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function Members({ currentUserId, canManage }: { currentUserId: string; canManage: boolean }) {
  const members = trpc.tenant.members.list.useQuery();
  const utils = trpc.useUtils();
  const changeRole = trpc.tenant.members.changeRole.useMutation({
    onSuccess: () => utils.tenant.members.list.invalidate(),
  });
  const remove = trpc.tenant.members.remove.useMutation({
    onSuccess: () => utils.tenant.members.list.invalidate(),
  });
  const actionError = changeRole.error ?? remove.error;

  return (
    <Card>
      <CardHeader>
        <CardTitle className="text-lg">Members</CardTitle>
        <CardDescription>{ROLES.map((role) => `${role}: ${ROLE_HELP[role]}`).join(" · ")}</CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-5">
        {actionError ? <ErrorState title="That did not work" message={errorMessageOf(actionError)} /> : null}
        {members.isPending ? (
          <SkeletonRows rows={2} label="Loading members" />
        ) : members.isError ? (
          <ErrorState message={errorMessageOf(members.error)} />
        ) : (
          <ul
            className="divide-y divide-border rounded-(--radius-control) border border-border"
            aria-label="Members"
          >
            {members.data.map((member) => (
              <li
                key={member.userId}
                className="flex flex-col gap-2 px-4 py-3 sm:flex-row sm:items-center sm:gap-4"
                data-testid="member"
              >
                <div className="flex min-w-0 flex-1 flex-col">
                  <span className="truncate text-sm font-medium">
                    {member.email}{" "}
                    {member.userId === currentUserId ? <Badge className="ml-1">you</Badge> : null}
                  </span>
                  <span className="text-xs text-muted-foreground">
                    joined {formatDateTime(member.joinedAt)}
                  </span>
                </div>
                {canManage && member.userId !== currentUserId ? (
                  <div className="flex items-center gap-2">
                    <label htmlFor={`role-${member.userId}`} className="sr-only">
                      Role of {member.email}
                    </label>
                    <Select
                      id={`role-${member.userId}`}
                      className="h-8"
                      value={member.role}
                      disabled={changeRole.isPending}
                      onChange={(event) =>
                        changeRole.mutate({ userId: member.userId, role: event.target.value as Role })
                      }
                    >
                      {ROLES.map((role) => (
                        <option key={role} value={role}>
                          {role}
                        </option>
                      ))}
                    </Select>
                    <Button
                      variant="ghost"
                      size="sm"
                      aria-label={`Remove ${member.email}`}
                      onClick={() => remove.mutate({ userId: member.userId })}
                      pending={remove.isPending && remove.variables?.userId === member.userId}
                    >
                      Remove
                    </Button>
                  </div>
                ) : (
                  <Badge className="self-start sm:self-auto">{member.role}</Badge>
                )}
              </li>
            ))}
          </ul>
        )}
        {canManage ? <PendingInvitationList /> : null}
        {canManage ? <InviteForm /> : null}
      </CardContent>
    </Card>
  );
}
