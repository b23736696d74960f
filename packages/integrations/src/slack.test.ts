import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeIntegrations, type FakeIntegrations } from "@techscaniq/fixtures";
import { IntegrationError } from "./errors";
import { integrationFetch } from "./http";
import { ChannelPacer, SlackClient, slackBlocks, type SlackConnection } from "./slack";

let fake: FakeIntegrations;
beforeAll(async () => {
  fake = await startFakeIntegrations();
});
afterAll(() => fake.close());

const NOW = new Date("2026-12-06T12:00:00Z");
/** A pacer on a pretend clock: the tests see its waits without sleeping. */
function pretendPacer() {
  let now = 0;
  const waits: number[] = [];
  const pacer = new ChannelPacer(1_000, {
    now: () => now,
    sleep: async (ms) => {
      waits.push(ms);
    },
  });
  return { pacer, waits, advance: (ms: number) => (now += ms) };
}
const bot = (overrides: Partial<{ token: string; channel: string }> = {}): SlackConnection => ({
  kind: "bot",
  token: fake.slack.token,
  channel: fake.slack.channel,
  apiUrl: fake.slack.apiUrl,
  ...overrides,
});
const client = (connection: SlackConnection = bot(), pacer = pretendPacer().pacer) =>
  new SlackClient(connection, {
    fetch: integrationFetch({ allowPrivate: "loopback" }),
    now: () => NOW,
    pacer,
  });

async function failure(promise: Promise<unknown>): Promise<IntegrationError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(IntegrationError);
  return error as IntegrationError;
}

describe("integrations: slack connection test", () => {
  it("a good bot token passes auth.test; a bad one gives Slack's invalid_auth and no secret", async () => {
    expect(await client().testConnection()).toMatchObject({ ok: true, error: null });
    const request = fake.requestsTo("slack").at(-1)!;
    expect(request).toMatchObject({ method: "POST", path: "/api/auth.test" });
    expect(request.headers.authorization).toBe(`Bearer ${fake.slack.token}`);
    const bad = await client(bot({ token: "xoxb-not-the-token" })).testConnection();
    expect(bad).toMatchObject({ ok: false, error: "slack: invalid_auth" });
  });
});

describe("integrations: slack post message", () => {
  it("chat.postMessage sends the channel, text and blocks", async () => {
    const blocks = slackBlocks("New finding", "*jQuery 1.8.3* is vulnerable");
    const posted = await client().postMessage({ text: "New finding", blocks });
    expect(posted.channel).toBe(fake.slack.channel);
    const request = fake.requestsTo("slack").at(-1)!;
    expect(request.path).toBe("/api/chat.postMessage");
    expect(request.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    const body = request.body as Record<string, string>;
    expect(body.channel).toBe(fake.slack.channel);
    expect(body.text).toBe("New finding");
    expect(JSON.parse(body.blocks!)).toEqual([
      { type: "header", text: { type: "plain_text", text: "New finding" } },
      { type: "section", text: { type: "mrkdwn", text: "*jQuery 1.8.3* is vulnerable" } },
    ]);
    expect(fake.state.slackMessages.at(-1)).toMatchObject({ ts: posted.ts, via: "api" });
  });

  it("an unknown channel is Slack's channel_not_found, final", async () => {
    const error = await failure(client(bot({ channel: "C0NOWHERE" })).postMessage({ text: "hi" }));
    expect(error).toMatchObject({ message: "slack: channel_not_found", retryable: false });
  });

  it("a 429 is retried when Retry-After says, with no in-process retry", async () => {
    fake.fail("slack", {
      status: 429,
      headers: { "retry-after": "7" },
      body: { ok: false, error: "ratelimited" },
    });
    const before = fake.requestsTo("slack").length;
    const error = await failure(client().postMessage({ text: "hi" }));
    expect(error.retryAt).toEqual(new Date(NOW.getTime() + 7_000));
    expect(error.status).toBe(429);
    expect(fake.requestsTo("slack").length).toBe(before + 1);
  });

  it("posts to one channel are spaced about a second apart; other channels do not wait", async () => {
    const { pacer, waits, advance } = pretendPacer();
    await client(bot(), pacer).postMessage({ text: "one" });
    advance(200);
    await client(bot(), pacer).postMessage({ text: "two" });
    await client(bot({ channel: fake.slack.channelName }), pacer).postMessage({ text: "elsewhere" });
    expect(waits).toEqual([800]);
  });

  it("an incoming webhook gets JSON text and blocks; a wrong hook is Slack's no_service", async () => {
    await client({ kind: "webhook", webhookUrl: fake.slack.webhookUrl }).postMessage({
      text: "hello",
      blocks: slackBlocks("Hello", "world"),
    });
    const request = fake.requestsTo("slack").at(-1)!;
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.body).toMatchObject({ text: "hello", blocks: [{ type: "header" }, { type: "section" }] });
    const wrong = `${fake.slack.webhookUrl.slice(0, -4)}0000`;
    const error = await failure(client({ kind: "webhook", webhookUrl: wrong }).postMessage({ text: "x" }));
    expect(error.message).toBe("slack: HTTP 404: no_service");
    expect(error.message).not.toContain(wrong);
  });
});

describe("integrations: slack SSRF", () => {
  it("a private address is refused before any request unless allowed", async () => {
    const before = fake.requests.length;
    const refused = new SlackClient(bot(), {
      fetch: integrationFetch({ allowPrivate: false }),
      pacer: pretendPacer().pacer,
    });
    const error = await failure(refused.postMessage({ text: "hi" }));
    expect(error.message).toBe("slack: blocked: 127.0.0.1 is a loopback address");
    expect(fake.requests.length).toBe(before);
  });
});
