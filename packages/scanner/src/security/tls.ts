import { connect, rootCertificates, type PeerCertificate } from "node:tls";
import { z } from "zod";
import { checkAddress, ipLiteral, systemResolver, type AllowPrivate, type Resolver } from "../net";
import type { TlsInfo } from "../types";

export interface CollectTlsOptions {
  /** Address policy, as for fetching; loopback and private targets are refused by default. */
  allowPrivate?: AllowPrivate;
  resolver?: Resolver;
  /** Connect and handshake time limit (default 10 s). */
  timeoutMs?: number;
  /** Extra trust anchors (PEM), added to Node's bundled roots. */
  ca?: string[];
}

const targetSchema = z.object({
  host: z
    .string()
    .min(1, "host is empty")
    .max(253, "host is longer than 253 characters")
    .regex(/^[a-z0-9.\-:[\]]+$/i, "host may hold only letters, digits, '.', '-' and IPv6 brackets"),
  port: z
    .number()
    .int("port must be an integer")
    .min(1, "port must be 1–65535")
    .max(65535, "port must be 1–65535"),
});

const DAY_MS = 86_400_000;

function distinguishedName(name: PeerCertificate["subject"] | undefined): string | null {
  if (!name) return null;
  const parts = Object.entries(name).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join("+") : v}`);
  return parts.length ? parts.join(", ") : null;
}

/** "DNS:a.example, IP Address:127.0.0.1" → ["a.example", "127.0.0.1"] */
function altNames(text: string | undefined): string[] {
  if (!text) return [];
  return text
    .split(/,\s*/)
    .map((entry) => entry.replace(/^(DNS|IP Address|URI|email):/, "").trim())
    .filter(Boolean);
}

/**
 * The TLS handshake of `host:port`: negotiated protocol and cipher, and the
 * leaf certificate (issuer, subject, names, validity). The certificate is
 * verified against the trust store and the host name but never rejected, so
 * an invalid one is still described; `authorized` and `authorizationError`
 * say whether it verified. The address connected to passes the scanner's
 * address policy first.
 */
export async function collectTls(host: string, port = 443, opts: CollectTlsOptions = {}): Promise<TlsInfo> {
  const target = targetSchema.safeParse({ host, port });
  if (!target.success) throw new Error(`collectTls: ${target.error.issues.map((i) => i.message).join("; ")}`);
  const hostname = host.replace(/^\[|\]$/g, "").toLowerCase();

  const literal = ipLiteral(hostname);
  const candidates = literal ? [literal] : await (opts.resolver ?? systemResolver)(hostname);
  if (candidates.length === 0) throw new Error(`collectTls: ${hostname} has no address`);
  const verdicts = candidates.map((c) => checkAddress(c.address, opts.allowPrivate ?? false));
  const allowed = verdicts.find((v) => v.allowed);
  if (!allowed) throw new Error(verdicts[0]!.reason ?? `blocked: ${hostname}`);

  const timeoutMs = opts.timeoutMs ?? 10_000;
  return new Promise<TlsInfo>((resolve, reject) => {
    const socket = connect({
      host: allowed.address,
      port,
      // SNI and the certificate name check use the host name, never the address.
      servername: literal ? undefined : hostname,
      rejectUnauthorized: false,
      // Setting `ca` replaces Node's bundled roots, so keep them alongside the extra anchors.
      ca: opts.ca ? [...opts.ca, ...rootCertificates] : undefined,
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`collectTls: timeout after ${timeoutMs / 1000} s connecting to ${hostname}:${port}`));
    }, timeoutMs);
    socket.once("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`collectTls: ${hostname}:${port}: ${error.message}`, { cause: error }));
    });
    socket.once("secureConnect", () => {
      clearTimeout(timer);
      const cert = socket.getPeerCertificate(false);
      const validTo = cert.valid_to ? new Date(cert.valid_to) : null;
      const info: TlsInfo = {
        host: hostname,
        protocol: socket.getProtocol() ?? null,
        cipher: socket.getCipher()?.name ?? null,
        issuer: distinguishedName(cert.issuer),
        subject: distinguishedName(cert.subject),
        subjectAltNames: altNames(cert.subjectaltname),
        validFrom: cert.valid_from ? new Date(cert.valid_from).toISOString() : null,
        validTo: validTo ? validTo.toISOString() : null,
        daysRemaining: validTo ? Math.floor((validTo.getTime() - Date.now()) / DAY_MS) : null,
        authorized: socket.authorized,
        authorizationError: socket.authorizationError ? String(socket.authorizationError) : null,
      };
      socket.end();
      resolve(info);
    });
  });
}
