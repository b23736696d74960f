import { AgentSpec, buildAgentPrompt } from "@techscaniq/contracts/agents";
import { withServiceTx } from "@techscaniq/db";
import { addTestMember } from "@techscaniq/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectTrpcError, startApiTestBed, type ApiTestBed } from "../testing";

let bed: ApiTestBed;
let clientA: ReturnType<ApiTestBed["client"]>;
let clientB: ReturnType<ApiTestBed["client"]>;
let viewerA: ReturnType<ApiTestBed["client"]>;
let tenantA: string;

const REQUIREMENTS =
  "Watch the technology stack and library versions of our portfolio sites.\n" +
  "Flag security regressions such as a worse header grade and open a ticket for critical ones.";

const ARCHIMATE = `<?xml version="1.0"?>
<model xmlns="http://www.opengroup.org/xsd/archimate/3.0/"
       xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <elements>
    <element identifier="c1" xsi:type="Capability"><name>Vendor security review</name></element>
  </elements>
</model>`;

beforeAll(async () => {
  bed = await startApiTestBed();
  const owner = await bed.signedInUser();
  const tenant = await bed
    .client({ accessToken: owner.accessToken })
    .tenant.create.mutate({ slug: "design-a", name: "A" });
  tenantA = tenant.id;
  clientA = bed.client({ accessToken: owner.accessToken, tenantId: tenantA });
  const ownerB = await bed.signedInUser();
  const tenantB = await bed
    .client({ accessToken: ownerB.accessToken })
    .tenant.create.mutate({ slug: "design-b", name: "B" });
  clientB = bed.client({ accessToken: ownerB.accessToken, tenantId: tenantB.id });
  const viewer = await bed.signedInUser();
  await addTestMember(bed.database.db, tenantA, viewer.id, "viewer");
  viewerA = bed.client({ accessToken: viewer.accessToken, tenantId: tenantA });
}, 120_000);

afterAll(() => bed?.close());

const sessionRow = (id: string) =>
  withServiceTx(bed.database.db, (trx) =>
    trx.selectFrom("design_sessions").selectAll().where("id", "=", id).executeTakeFirstOrThrow(),
  );

describe("agents: design wizard", () => {
  it("goes from prose to a published agent, one stored step at a time, with the person's edits", async () => {
    const analysed = await clientA.design.analyzeText.mutate({ text: REQUIREMENTS });
    expect(analysed.analysis.agents.map((agent) => agent.key)).toEqual([
      "stack-watch",
      "security-regression",
    ]);
    expect(analysed.interactions).toBeNull();

    // The person renames an agent between steps; the edit is stored with the interactions.
    const edited = structuredClone(analysed.analysis);
    edited.agents[0]!.name = "Portfolio stack watch";
    const withInteractions = await clientA.design.generateInteractions.mutate({
      sessionId: analysed.id,
      analysis: edited,
    });
    expect(withInteractions.analysis.agents[0]!.name).toBe("Portfolio stack watch");
    expect(withInteractions.interactions).toEqual([
      expect.objectContaining({ from: "stack-watch", to: "security-regression" }),
    ]);

    const compiled = await clientA.design.compile.mutate({ sessionId: analysed.id });
    expect(compiled.compiled!.map((agent) => agent.name)).toEqual([
      "Portfolio stack watch",
      "Security regression",
    ]);
    for (const agent of compiled.compiled!) expect(AgentSpec.safeParse(agent.spec).success).toBe(true);

    const input = { urls: ["https://a.example/"] };
    const preview = await clientA.design.promptPreview.query({
      sessionId: analysed.id,
      agentKey: "stack-watch",
      input,
    });
    expect(preview).toEqual(
      buildAgentPrompt(
        { name: "Portfolio stack watch", version: 1, spec: compiled.compiled![0]!.spec },
        input,
      ),
    );

    const created = await clientA.design.createAgent.mutate({
      sessionId: analysed.id,
      agentKey: "stack-watch",
    });
    expect(created.version).toBe(1);
    const agent = await withServiceTx(bed.database.db, (trx) =>
      trx.selectFrom("agents").selectAll().where("id", "=", created.agentId).executeTakeFirstOrThrow(),
    );
    expect(agent).toMatchObject({
      tenant_id: tenantA,
      status: "published",
      current_version: 1,
      name: "Portfolio stack watch",
    });

    // A person coming back finds every step's output.
    const again = await clientA.design.get.query({ sessionId: analysed.id });
    expect(again).toMatchObject({ createdAgentIds: [created.agentId], compiled: compiled.compiled });
    expect((await clientA.design.list.query()).map((session) => session.id)).toContain(analysed.id);
  });

  it("refuses a compile that would not validate and changes nothing", async () => {
    const session = await clientA.design.analyzeText.mutate({ text: REQUIREMENTS });
    await clientA.design.generateInteractions.mutate({ sessionId: session.id });
    const before = await sessionRow(session.id);
    const error = await expectTrpcError(
      clientA.design.compile.mutate({
        sessionId: session.id,
        interactions: [
          { from: "stack-watch", to: "thesis-check", description: "x", messageSchema: { type: "object" } },
        ],
      }),
      "BAD_REQUEST",
      "interactions.0: no proposed agent thesis-check",
    );
    expect(error.data?.fieldErrors).toEqual({ "interactions.0": ["no proposed agent thesis-check"] });
    expect(await sessionRow(session.id)).toEqual(before);
    await expectTrpcError(
      clientA.design.createAgent.mutate({ sessionId: session.id, agentKey: "stack-watch" }),
      "PRECONDITION_FAILED",
      "Compile the design first",
    );
    await expectTrpcError(
      clientA.design.analyzeText.mutate({ text: "Lunch is at noon, every day." }),
      "BAD_REQUEST",
      /No due-diligence capability found in the text/,
    );
  });

  it("reads an ArchiMate model and refuses a malformed one with the reason", async () => {
    const session = await clientA.design.analyzeModel.mutate({ fileName: "caps.xml", content: ARCHIMATE });
    expect(session).toMatchObject({ source: "model", sourceName: "caps.xml", title: "caps.xml" });
    expect(session.analysis.agents.map((agent) => agent.key)).toEqual(["vendor-security-review"]);
    await expectTrpcError(
      clientA.design.analyzeModel.mutate({ fileName: "bad.xml", content: "<model><elements></model>" }),
      "BAD_REQUEST",
      "content: malformed XML: </model> does not close <elements> on line 1",
    );
    // The upload is audited by its start and length, not whole.
    const rows = Array.from({ length: 150 }, (_, i) => `Vendor ${i},supplier posture`);
    const big = `name,description\n${rows.join("\n")}`;
    const bigSession = await clientA.design.analyzeModel.mutate({ fileName: "big.csv", content: big });
    const audit = await withServiceTx(bed.database.db, (trx) =>
      trx
        .selectFrom("audit_log")
        .select("details")
        .where("target", "=", `design_session:${bigSession.id}`)
        .executeTakeFirstOrThrow(),
    );
    expect(bigSession.analysis.capabilities).toHaveLength(150);
    expect(JSON.stringify(audit.details)).toContain(`[${big.length} characters]`);
  });

  it("checks a diagram by its magic bytes and size, refusing others with a clear error", async () => {
    await expectTrpcError(
      clientA.design.analyzeImage.mutate({
        fileName: "evil.png",
        contentBase64: Buffer.from("<svg onload=alert(1)>").toString("base64"),
      }),
      "BAD_REQUEST",
      "contentBase64: evil.png is not a PNG, JPEG or WebP image",
    );
    await expectTrpcError(
      clientA.design.analyzeImage.mutate({
        fileName: "huge.png",
        contentBase64: Buffer.alloc(10 * 1024 * 1024 + 3).toString("base64"),
      }),
      "BAD_REQUEST",
      "the image is larger than 10 MB",
    );
  });

  it("keeps sessions to their tenant and lets viewers only read", async () => {
    const session = await clientA.design.analyzeText.mutate({ text: REQUIREMENTS });
    await expectTrpcError(clientB.design.get.query({ sessionId: session.id }), "NOT_FOUND");
    await expectTrpcError(clientB.design.generateInteractions.mutate({ sessionId: session.id }), "NOT_FOUND");
    expect((await clientB.design.list.query()).map((row) => row.id)).not.toContain(session.id);
    expect((await viewerA.design.get.query({ sessionId: session.id })).id).toBe(session.id);
    await expectTrpcError(viewerA.design.compile.mutate({ sessionId: session.id }), "FORBIDDEN");
  });
});
