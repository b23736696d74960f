import { FetchError, formatBytes } from "./errors";

/** Bytes a whole scan may download, shared by every fetch and the browser. */
export class ByteBudget {
  readonly limit: number;
  #used = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  get used(): number {
    return this.#used;
  }

  get remaining(): number {
    return Math.max(0, this.limit - this.#used);
  }

  /** Count `bytes` against the budget; throws once the budget is exceeded. */
  take(bytes: number, url: string): void {
    this.#used += bytes;
    if (this.#used > this.limit) {
      throw new FetchError("budget", `scan byte budget of ${formatBytes(this.limit)} used up`, url);
    }
  }
}
