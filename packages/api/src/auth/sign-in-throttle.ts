import { DomainError } from "../errors";

/**
 * Slows password guessing: after `maxFailures` wrong passwords for one
 * e-mail from one client address within `windowMs`, sign-in for that pair is
 * refused until the window ends. Keyed by address too, so nobody can lock a
 * victim out from elsewhere. Per process: each web instance counts alone,
 * which bounds guessing per instance rather than globally.
 */
export class SignInThrottle {
  private readonly failures = new Map<string, { count: number; windowStartedAt: number }>();

  constructor(
    private readonly maxFailures = 10,
    private readonly windowMs = 15 * 60_000,
  ) {}

  private key(email: string, ip: string | null): string {
    return `${ip ?? "-"}|${email.toLowerCase()}`;
  }

  /** Throws RATE_LIMITED while the pair is locked out. */
  check(email: string, ip: string | null, now = Date.now()): void {
    const entry = this.failures.get(this.key(email, ip));
    if (!entry || entry.count < this.maxFailures) return;
    const retryInMs = entry.windowStartedAt + this.windowMs - now;
    if (retryInMs <= 0) {
      this.failures.delete(this.key(email, ip));
      return;
    }
    throw new DomainError("RATE_LIMITED", `Too many failed sign-ins for this e-mail; try again in ${Math.ceil(retryInMs / 60_000)} minute(s)`);
  }

  recordFailure(email: string, ip: string | null, now = Date.now()): void {
    const key = this.key(email, ip);
    const entry = this.failures.get(key);
    if (!entry || now - entry.windowStartedAt >= this.windowMs) this.failures.set(key, { count: 1, windowStartedAt: now });
    else entry.count += 1;
  }

  recordSuccess(email: string, ip: string | null): void {
    this.failures.delete(this.key(email, ip));
  }
}
