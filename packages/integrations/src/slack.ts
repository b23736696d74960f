import { ErrorCode, WebClient, type Block, type KnownBlock } from "@slack/web-api";
import type { IntegrationFetch } from "@techscaniq/contracts";
import { checkConnection, type ConnectionCheck } from "./connection-check";
import { IntegrationError, isTransientStatus, redact } from "./errors";
import { answerFailure, bodyExcerpt, callJson, sdkFetch, transportFailure, type ClientOptions } from "./http";

/**
 * Slack through its Web API client (`@slack/web-api`, bot token, `chat.postMessage`) or an
 * incoming webhook URL, every request through the SSRF-safe fetcher. The client does not retry or
 * wait by itself: a 429 becomes an IntegrationError with `retryAt` from Slack's `Retry-After`.
 */

export type SlackConnection =
  | {
      kind: "bot";
      token: string;
      channel: string;
      /** `https://slack.com/api/` unless a test server. */
      apiUrl?: string;
    }
  | { kind: "webhook"; webhookUrl: string };

export interface SlackMessage {
  /** The notification text and the fallback for clients that do not show blocks. */
  text: string;
  blocks?: (KnownBlock | Block)[];
}

/** Slack allows about one message per second per channel; posts through one pacer keep to it. */
export const SLACK_CHANNEL_INTERVAL_MS = 1_000;

/**
 * Spaces posts to the same channel at least `intervalMs` apart in this process (other processes
 * are held back by Slack's 429, which reschedules). Each post reserves its slot before waiting.
 */
export class ChannelPacer {
  readonly #next = new Map<string, number>();
  constructor(
    readonly intervalMs = SLACK_CHANNEL_INTERVAL_MS,
    readonly clock: { now: () => number; sleep: (ms: number) => Promise<void> } = {
      now: () => Date.now(),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    },
  ) {}

  /** Waits for the channel's next free slot; returns how long it waited. */
  async wait(channel: string): Promise<number> {
    const now = this.clock.now();
    const slot = Math.max(now, this.#next.get(channel) ?? 0);
    this.#next.set(channel, slot + this.intervalMs);
    const delay = slot - now;
    if (delay > 0) await this.clock.sleep(delay);
    return delay;
  }
}

/** Shared by every Slack client of the process (the worker's jobs). */
export const slackChannelPacer = new ChannelPacer();

/** A plain message with a header and the body as Slack mrkdwn sections (3000 characters each). */
export function slackBlocks(title: string, body: string): KnownBlock[] {
  const blocks: KnownBlock[] = [{ type: "header", text: { type: "plain_text", text: title.slice(0, 150) } }];
  for (let start = 0; start < Math.min(body.length, 45_000); start += 3000)
    blocks.push({ type: "section", text: { type: "mrkdwn", text: body.slice(start, start + 3000) } });
  return blocks.slice(0, 50);
}

interface SlackFailure {
  code: string;
  data?: { error?: string };
  retryAfter?: number;
  statusCode?: number;
  body?: unknown;
  original?: unknown;
}

export class SlackClient {
  readonly #connection: SlackConnection;
  readonly #fetch: IntegrationFetch;
  readonly #now: () => Date;
  readonly #pacer: ChannelPacer;
  readonly #web: WebClient | null;

  constructor(connection: SlackConnection, options: ClientOptions & { pacer?: ChannelPacer }) {
    this.#connection = connection;
    this.#fetch = options.fetch;
    this.#now = options.now ?? (() => new Date());
    this.#pacer = options.pacer ?? slackChannelPacer;
    this.#web =
      connection.kind === "bot"
        ? new WebClient(connection.token, {
            slackApiUrl: connection.apiUrl ?? "https://slack.com/api/",
            fetch: sdkFetch(this.#fetch),
            // The job is rescheduled instead: no in-process retries or sleeps.
            retryConfig: { retries: 0 },
            rejectRateLimitedCalls: true,
            allowAbsoluteUrls: false,
            logger: {
              debug() {},
              info() {},
              warn() {},
              error() {},
              setLevel() {},
              getLevel: () => "error" as never,
              setName() {},
            },
          })
        : null;
  }

  get #secret(): string {
    return this.#connection.kind === "bot" ? this.#connection.token : this.#connection.webhookUrl;
  }

  #failure(error: unknown): IntegrationError {
    const failure = error as SlackFailure;
    switch (failure.code) {
      case ErrorCode.PlatformError:
        // Slack answers 200 with ok:false and a reason code (invalid_auth, channel_not_found …); a
        // failure reported as 200 would read as success, so it carries no status.
        return new IntegrationError("slack", `slack: ${failure.data?.error ?? "unknown error"}`, {
          retryable: failure.data?.error === "ratelimited" || failure.data?.error === "internal_error",
        });
      case ErrorCode.RateLimitedError:
        return new IntegrationError("slack", `slack: rate limited, retry after ${failure.retryAfter} s`, {
          status: 429,
          retryAt: new Date(this.#now().getTime() + (failure.retryAfter ?? 1) * 1000),
        });
      case ErrorCode.HTTPError:
        return new IntegrationError(
          "slack",
          redact(`slack: HTTP ${failure.statusCode}: ${bodyExcerpt(failure.body)}`, [this.#secret]),
          { status: failure.statusCode ?? null, retryable: isTransientStatus(failure.statusCode ?? 500) },
        );
      case ErrorCode.RequestError:
        return transportFailure("slack", failure.original);
      default:
        return transportFailure("slack", error);
    }
  }

  /** `auth.test` for a bot token; a webhook has no read, so it is not tested without posting. */
  testConnection(): Promise<ConnectionCheck> {
    return checkConnection(() => this.authenticatedRead());
  }

  /** `auth.test`: the bot's workspace and user. */
  async authenticatedRead(): Promise<string> {
    if (!this.#web)
      throw new IntegrationError("slack", "slack: an incoming webhook can only be tested by posting");
    const result = await this.#web.auth.test().catch((error: unknown) => {
      throw this.#failure(error);
    });
    return `${result.user ?? "?"} in ${result.team ?? "?"}`;
  }

  /** Posts to the connection's channel (bot) or its webhook, at most one message a second per channel. */
  async postMessage(message: SlackMessage): Promise<{ channel: string; ts: string | null }> {
    const connection = this.#connection;
    if (connection.kind === "webhook") {
      await this.#pacer.wait(connection.webhookUrl);
      const answer = await callJson("slack", this.#fetch, connection.webhookUrl, {
        method: "POST",
        headers: {},
        body: { text: message.text, ...(message.blocks ? { blocks: message.blocks } : {}) },
      });
      // A webhook answers 200 "ok", or a status with a reason word (invalid_payload, no_service …).
      if (answer.status !== 200)
        throw answerFailure("slack", answer, bodyExcerpt(answer.body), [connection.webhookUrl], this.#now());
      return { channel: "webhook", ts: null };
    }
    await this.#pacer.wait(connection.channel);
    try {
      const result = await this.#web!.chat.postMessage({
        channel: connection.channel,
        text: message.text,
        ...(message.blocks ? { blocks: message.blocks } : {}),
      });
      return { channel: result.channel ?? connection.channel, ts: result.ts ?? null };
    } catch (error) {
      throw this.#failure(error);
    }
  }
}
