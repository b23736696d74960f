import { sql, type Db } from "@techscaniq/db";
import { DomainError } from "../errors";

/** How one kind of key is throttled. */
interface ThrottleRule {
  /** Attempts counted together; the count restarts after this long. */
  windowSeconds: number;
  /** Attempts in a window that pass without any wait. */
  free: number;
  /** How long attempt number `attempts` (> free) blocks the key. */
  blockSeconds(attempts: number, rule: ThrottleRule): number;
  refusal: string;
}

const WINDOW_SECONDS = 15 * 60;

/**
 * Failed sign-ins of one account: after 5, each further failure makes the
 * next attempt wait 1, 2, 4 … s, at most a minute. A stranger can slow an
 * account down, never lock its owner out for long.
 */
const ACCOUNT: ThrottleRule = {
  windowSeconds: WINDOW_SECONDS,
  free: 5,
  blockSeconds: (attempts, rule) => Math.min(2 ** (attempts - rule.free - 1), 60),
  refusal: "Too many failed sign-ins for this e-mail",
};

/** Failed sign-ins from one client address across all accounts: 50 per 15 minutes. */
const ADDRESS: ThrottleRule = {
  windowSeconds: WINDOW_SECONDS,
  free: 50,
  blockSeconds: (_attempts, rule) => rule.windowSeconds,
  refusal: "Too many failed sign-ins from your network",
};

/** Sign-ups from one client address: 30 an hour. */
const SIGN_UP: ThrottleRule = {
  windowSeconds: 60 * 60,
  free: 30,
  blockSeconds: (_attempts, rule) => rule.windowSeconds,
  refusal: "Too many new accounts from your network",
};

/**
 * Sign-in and sign-up throttling in Postgres (`auth_throttle`), so every web
 * process shares it. Keys are the account and the client address (from the
 * socket, or the trusted proxy's header: see client-address.ts), never a
 * header a client can choose freely. Rows older than their window are pruned
 * whenever an attempt is counted, which keeps the table bounded.
 */
export class SignInThrottle {
  constructor(private readonly db: Db) {}

  /** Throws RATE_LIMITED while the account or the address must wait. */
  async assertSignInAllowed(email: string, ip: string | null): Promise<void> {
    await this.assertOpen([
      [accountKey(email), ACCOUNT],
      ...(ip ? [[`address:${ip}`, ADDRESS] as const] : []),
    ]);
  }

  async recordSignInFailure(email: string, ip: string | null): Promise<void> {
    await this.count(accountKey(email), ACCOUNT);
    if (ip) await this.count(`address:${ip}`, ADDRESS);
  }

  /** The owner got in: their account starts afresh (the address count stays). */
  async recordSignInSuccess(email: string): Promise<void> {
    await this.db.kysely.deleteFrom("auth_throttle").where("key", "=", accountKey(email)).execute();
  }

  /** Throws RATE_LIMITED when the address made too many accounts lately; counts this attempt otherwise. */
  async countSignUp(ip: string | null): Promise<void> {
    if (!ip) return;
    await this.assertOpen([[`sign-up:${ip}`, SIGN_UP]]);
    // The attempt over the limit is refused itself, not only the ones after it.
    if ((await this.count(`sign-up:${ip}`, SIGN_UP)) > SIGN_UP.free)
      await this.assertOpen([[`sign-up:${ip}`, SIGN_UP]]);
  }

  private async assertOpen(keys: readonly (readonly [string, ThrottleRule])[]): Promise<void> {
    const blocked = await this.db.kysely
      .selectFrom("auth_throttle")
      .select(["key", sql<number>`ceil(extract(epoch from blocked_until - now()))::int`.as("wait_seconds")])
      .where(
        "key",
        "in",
        keys.map(([key]) => key),
      )
      .where("blocked_until", ">", sql<Date>`now()`)
      .execute();
    const longest = blocked.sort((a, b) => b.wait_seconds - a.wait_seconds)[0];
    if (!longest) return;
    const rule = keys.find(([key]) => key === longest.key)![1];
    throw new DomainError(
      "RATE_LIMITED",
      `${rule.refusal}; try again in ${formatWait(longest.wait_seconds)}`,
    );
  }

  /** Counts an attempt; returns how many the key has in its window. */
  private async count(key: string, rule: ThrottleRule): Promise<number> {
    const window = sql<Date>`now() - make_interval(secs => ${rule.windowSeconds})`;
    const row = await this.db.kysely
      .insertInto("auth_throttle")
      .values({ key, attempts: 1 })
      .onConflict((conflict) =>
        conflict.column("key").doUpdateSet({
          attempts: sql<number>`case when auth_throttle.window_started_at < ${window} then 1 else auth_throttle.attempts + 1 end`,
          window_started_at: sql<Date>`case when auth_throttle.window_started_at < ${window} then now()
            else auth_throttle.window_started_at end`,
          last_attempt_at: sql<Date>`now()`,
        }),
      )
      .returning("attempts")
      .executeTakeFirstOrThrow();
    if (row.attempts > rule.free) {
      await this.db.kysely
        .updateTable("auth_throttle")
        .set({
          blocked_until: sql<Date>`now() + make_interval(secs => ${rule.blockSeconds(row.attempts, rule)})`,
        })
        .where("key", "=", key)
        .execute();
    }
    // The longest window is the sign-up hour: nothing older matters to any rule.
    await this.db.kysely
      .deleteFrom("auth_throttle")
      .where("last_attempt_at", "<", sql<Date>`now() - make_interval(secs => ${SIGN_UP.windowSeconds})`)
      .execute();
    return row.attempts;
  }
}

const accountKey = (email: string) => `account:${email.trim().toLowerCase()}`;

const formatWait = (seconds: number) =>
  seconds < 90 ? `${seconds} second(s)` : `${Math.ceil(seconds / 60)} minute(s)`;
