import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cookieHeader,
  getRequest,
  postRequest as post,
  routeTestEnvironment,
  SAME_ORIGIN_JSON as OURS,
} from "../../../server/testing";
import type * as RefreshRoute from "./refresh/route";
import type * as SignInRoute from "./sign-in/route";
import type * as SignOutRoute from "./sign-out/route";
import type * as SignUpRoute from "./sign-up/route";
import type * as TrpcRoute from "../trpc/[trpc]/route";

const EVIL = { origin: "https://evil.example", "sec-fetch-site": "cross-site", "content-type": "text/plain" };

describe("trust: cross-site requests on cookie sessions", () => {
  let environment: Awaited<ReturnType<typeof routeTestEnvironment>>;
  let routes: {
    signUp: typeof SignUpRoute;
    signIn: typeof SignInRoute;
    signOut: typeof SignOutRoute;
    refresh: typeof RefreshRoute;
    trpc: typeof TrpcRoute;
  };
  let victimCookies: string;

  const me = (cookie: string) => routes.trpc.GET(getRequest("/api/trpc/auth.me", { cookie }));

  beforeAll(async () => {
    environment = await routeTestEnvironment();
    routes = {
      signUp: await import("./sign-up/route"),
      signIn: await import("./sign-in/route"),
      signOut: await import("./sign-out/route"),
      refresh: await import("./refresh/route"),
      trpc: await import("../trpc/[trpc]/route"),
    };
    const signedUp = await routes.signUp.POST(
      post("/api/auth/sign-up", OURS, { email: "victim@example.test", password: "correct horse battery" }),
    );
    expect(signedUp.status).toBe(200);
    victimCookies = cookieHeader(signedUp);
  });
  afterAll(async () => {
    await environment.close();
  });

  it("refuses a cross-site text/plain sign-in into another account and sets no cookie", async () => {
    const attempt = await routes.signIn.POST(
      post("/api/auth/sign-in", EVIL, { email: "victim@example.test", password: "correct horse battery" }),
    );
    expect(attempt.status).toBe(403);
    expect(attempt.cookies.getAll()).toEqual([]);
    const plainText = await routes.signIn.POST(
      post(
        "/api/auth/sign-in",
        { ...OURS, "content-type": "text/plain" },
        { email: "victim@example.test", password: "x" },
      ),
    );
    expect(plainText.status).toBe(415);
  });

  it("refuses a cross-site sign-out or refresh: the victim's session keeps working", async () => {
    const signOut = await routes.signOut.POST(post("/api/auth/sign-out", { ...EVIL, cookie: victimCookies }));
    expect(signOut.status).toBe(403);
    // No Sec-Fetch-Site (an older browser): the Origin header decides.
    const noFetchSite = await routes.signOut.POST(
      post("/api/auth/sign-out", {
        origin: "https://evil.example",
        "content-type": "application/json",
        cookie: victimCookies,
      }),
    );
    expect(noFetchSite.status).toBe(403);
    const refresh = await routes.refresh.POST(post("/api/auth/refresh", { ...EVIL, cookie: victimCookies }));
    expect(refresh.status).toBe(403);
    expect((await me(victimCookies)).status).toBe(200);
  });

  it("refuses cookie-carried tRPC mutations from another site, keeps same-origin and Bearer callers working", async () => {
    const input = { slug: "csrf-acme", name: "Acme" };
    const crossSite = await routes.trpc.POST(
      post("/api/trpc/tenant.create", { ...EVIL, cookie: victimCookies }, input),
    );
    expect(crossSite.status).toBe(403);
    const ours = await routes.trpc.POST(
      post("/api/trpc/tenant.create", { ...OURS, cookie: victimCookies }, input),
    );
    expect(ours.status).toBe(200);

    const accessToken = /tsiq_access=([^;]+)/.exec(victimCookies)![1]!;
    const script = await routes.trpc.POST(
      post(
        "/api/trpc/tenant.create",
        { authorization: `Bearer ${accessToken}`, "content-type": "application/json" },
        {
          slug: "csrf-script",
          name: "Script",
        },
      ),
    );
    expect(script.status).toBe(200);
  });

  it("signs out from our own page", async () => {
    const signOut = await routes.signOut.POST(post("/api/auth/sign-out", { ...OURS, cookie: victimCookies }));
    expect(signOut.status).toBe(200);
    expect((await me(victimCookies)).status).toBe(401);
  });
});
