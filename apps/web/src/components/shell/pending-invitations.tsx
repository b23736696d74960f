"use client";

import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { errorMessageOf } from "../../lib/api-error";
import { formatDateTime } from "../../lib/format";
import { trpc } from "../../lib/trpc";
import { Button } from "../ui/button";
import { ErrorState } from "../ui/states";

/**
 * Invitations addressed to the signed-in user's e-mail, from any workspace. Nobody joins a workspace
 * without accepting here; accepting makes the new workspace the active one.
 */
export function PendingInvitations() {
  const router = useRouter();
  const [switching, startTransition] = useTransition();
  const utils = trpc.useUtils();
  const invitations = trpc.tenant.invitations.mine.useQuery();
  const accept = trpc.tenant.invitations.accept.useMutation({
    onSuccess: async ({ tenantId }) => {
      await utils.tenant.invitations.mine.invalidate();
      await fetch("/api/tenant/active", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ tenantId }),
      });
      startTransition(() => router.refresh());
    },
  });
  const decline = trpc.tenant.invitations.decline.useMutation({
    onSuccess: () => utils.tenant.invitations.mine.invalidate(),
  });
  const actionError = accept.error ?? decline.error;

  if (!invitations.data?.length && !actionError) return null;
  return (
    <section aria-label="Invitations" className="mb-6 flex flex-col gap-3">
      {actionError ? <ErrorState title="That did not work" message={errorMessageOf(actionError)} /> : null}
      <ul className="flex flex-col gap-2">
        {invitations.data?.map((invitation) => (
          <li
            key={invitation.id}
            data-testid="invitation"
            className="flex flex-col gap-2 rounded-(--radius-control) border border-border bg-surface px-4 py-3 sm:flex-row sm:items-center sm:gap-4"
          >
            <div className="flex min-w-0 flex-1 flex-col">
              <span className="truncate text-sm font-medium">
                You are invited to {invitation.tenantName} as {invitation.role}
              </span>
              <span className="text-xs text-muted-foreground">
                until {formatDateTime(invitation.expiresAt)}
              </span>
            </div>
            <div className="flex items-center gap-2">
              <Button
                size="sm"
                aria-label={`Accept the invitation to ${invitation.tenantName}`}
                onClick={() => accept.mutate({ invitationId: invitation.id })}
                pending={(accept.isPending || switching) && accept.variables?.invitationId === invitation.id}
              >
                Accept
              </Button>
              <Button
                variant="ghost"
                size="sm"
                aria-label={`Decline the invitation to ${invitation.tenantName}`}
                onClick={() => decline.mutate({ invitationId: invitation.id })}
                pending={decline.isPending && decline.variables?.invitationId === invitation.id}
              >
                Decline
              </Button>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
