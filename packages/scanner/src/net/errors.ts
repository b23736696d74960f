/** Why a fetch was refused or failed; `code` is stable, `message` is for people. */
export type FetchErrorCode =
  | "invalid-url"
  | "scheme"
  | "credentials"
  | "blocked"
  | "dns"
  | "timeout"
  | "aborted"
  | "too-large"
  | "budget"
  | "redirects"
  | "content-type"
  | "network";

export class FetchError extends Error {
  readonly code: FetchErrorCode;
  readonly url: string;

  constructor(code: FetchErrorCode, message: string, url: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "FetchError";
    this.code = code;
    this.url = url;
  }
}

/** "5 MB", "512 KB", "300 bytes" — limits are quoted in the units people set them in. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Number((bytes / (1024 * 1024)).toFixed(1))} MB`;
  if (bytes >= 1024) return `${Number((bytes / 1024).toFixed(1))} KB`;
  return `${bytes} bytes`;
}

export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(2))} s`;
}
