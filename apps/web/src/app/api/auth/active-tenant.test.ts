import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cookieHeader,
  getRequest,
  postRequest,
  routeTestEnvironment,
  SAME_ORIGIN_JSON,
} from "../../../server/testing";
import type * as SignInRoute from "./sign-in/route";
import type * as SignUpRoute from "./sign-up/route";
import type * as ActiveTenantRoute from "../tenant/active/route";
import type * as TrpcRoute from "../trpc/[trpc]/route";

const PASSWORD = "correct horse battery";

describe("trust: seeded demo user gets live progress", () => {
  let environment: Awaited<ReturnType<typeof routeTestEnvironment>>;
  let routes: {
    signUp: typeof SignUpRoute;
    signIn: typeof SignInRoute;
    active: typeof ActiveTenantRoute;
    trpc: typeof TrpcRoute;
  };

  beforeAll(async () => {
    environment = await routeTestEnvironment();
    routes = {
      signUp: await import("./sign-up/route"),
      signIn: await import("./sign-in/route"),
      active: await import("../tenant/active/route"),
      trpc: await import("../trpc/[trpc]/route"),
    };
  });
  afterAll(() => environment.close());

  const signUp = async (email: string) => {
    const response = await routes.signUp.POST(
      postRequest("/api/auth/sign-up", SAME_ORIGIN_JSON, { email, password: PASSWORD }),
    );
    expect(response.status).toBe(200);
    return cookieHeader(response);
  };
  const createTenant = async (cookie: string, slug: string) => {
    const response = await routes.trpc.POST(
      postRequest("/api/trpc/tenant.create", { ...SAME_ORIGIN_JSON, cookie }, { slug, name: slug }),
    );
    expect(response.status).toBe(200);
    return ((await response.json()) as { result: { data: { id: string } } }).result.data.id;
  };
  const signIn = (email: string) =>
    routes.signIn.POST(postRequest("/api/auth/sign-in", SAME_ORIGIN_JSON, { email, password: PASSWORD }));

  it("sign-in makes the only tenant active, so a header-less subscription request names it", async () => {
    const cookies = await signUp("only-tenant@example.test");
    const tenantId = await createTenant(cookies, "only-tenant");

    const signedIn = await signIn("only-tenant@example.test");
    expect(signedIn.status).toBe(200);
    expect(signedIn.cookies.get("tsiq_tenant")?.value).toBe(tenantId);
    // What the progress EventSource sends: cookies, no x-tenant-id.
    const get = await routes.trpc.GET(getRequest("/api/trpc/tenant.get", { cookie: cookieHeader(signedIn) }));
    expect(get.status).toBe(200);
  });

  it("sign-in makes the tenant used last active again", async () => {
    const cookies = await signUp("two-tenants@example.test");
    await createTenant(cookies, "aardvark-first");
    const second = await createTenant(cookies, "zebra-second");
    const switched = await routes.active.POST(
      postRequest("/api/tenant/active", { ...SAME_ORIGIN_JSON, cookie: cookies }, { tenantId: second }),
    );
    expect(switched.status).toBe(200);

    const signedIn = await signIn("two-tenants@example.test");
    expect(signedIn.cookies.get("tsiq_tenant")?.value).toBe(second);
  });

  it("a session without a tenant cookie (signed in elsewhere) gets its default tenant from the first API call", async () => {
    const cookies = await signUp("no-cookie@example.test");
    const tenantId = await createTenant(cookies, "no-cookie-tenant");
    const sessionOnly = cookies
      .split("; ")
      .filter((cookie) => !cookie.startsWith("tsiq_tenant="))
      .join("; ");

    const get = await routes.trpc.GET(getRequest("/api/trpc/tenant.get", { cookie: sessionOnly }));
    expect(get.status).toBe(200);
    expect(get.headers.get("set-cookie")).toContain(`tsiq_tenant=${tenantId};`);
  });
});
