"use client";

import { useState } from "react";
import { Button } from "../ui/button";

/**
 * Signs out with a same-origin JSON POST (the route refuses plain form posts,
 * which any site could send), then leaves for sign-in with a full load so no
 * signed-in client state survives.
 */
export function SignOutButton() {
  const [pending, setPending] = useState(false);

  async function signOut() {
    setPending(true);
    // The cookies are cleared even when the API is unreachable, so sign-in is the right page either way.
    await fetch("/api/auth/sign-out", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    }).catch(() => undefined);
    window.location.assign("/sign-in");
  }

  return (
    <Button type="button" variant="ghost" size="sm" pending={pending} onClick={() => void signOut()}>
      Sign out
    </Button>
  );
}
