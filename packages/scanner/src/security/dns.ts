import { Resolver } from "node:dns/promises";
import { z } from "zod";
import type { DnsInfo } from "../types";

export interface CollectDnsOptions {
  /** Resolver to ask (tests point one at a local server); default: the system's servers. */
  resolver?: Resolver;
  /** Time limit per query (default 5 s). */
  timeoutMs?: number;
}

const hostSchema = z
  .string()
  .min(1, "host is empty")
  .max(253, "host is longer than 253 characters")
  .regex(
    /^(?!-)[a-z0-9-]{1,63}(\.(?!-)[a-z0-9-]{1,63})*\.?$/i,
    "host must be a DNS name (letters, digits, '-', dots)",
  );

/** Answers that just mean "no such record here". */
const NO_RECORD = new Set(["ENODATA", "ENOTFOUND"]);

async function query<T>(
  label: string,
  run: () => Promise<T>,
  empty: T,
  timeoutMs: number,
  errors: string[],
  quietNotFound = false,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error(`timeout after ${timeoutMs / 1000} s`), { code: "ETIMEOUT" })),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([run(), timeout]);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "";
    if (code === "ENODATA" || (quietNotFound && NO_RECORD.has(code))) return empty;
    errors.push(`${label}: ${code ? `${code} ` : ""}${(error as Error).message}`);
    return empty;
  } finally {
    clearTimeout(timer);
  }
}

const joinTxt = (records: string[][]) => records.map((chunks) => chunks.join(""));

/**
 * The host's DNS records that matter for due diligence: addresses, mail (MX,
 * SPF, DMARC at _dmarc.host), CAA, name servers and CNAME. Every query is
 * bounded in time; failures are recorded in `errors`, never thrown.
 */
export async function collectDns(host: string, opts: CollectDnsOptions = {}): Promise<DnsInfo> {
  const parsed = hostSchema.safeParse(host);
  if (!parsed.success) throw new Error(`collectDns: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
  const name = parsed.data.toLowerCase().replace(/\.$/, "");
  const timeoutMs = opts.timeoutMs ?? 5000;
  const resolver = opts.resolver ?? new Resolver({ timeout: timeoutMs, tries: 2 });
  const errors: string[] = [];
  const q = <T>(label: string, run: () => Promise<T>, empty: T, quietNotFound = false) =>
    query(label, run, empty, timeoutMs, errors, quietNotFound);

  const [a, aaaa, mx, txt, caa, ns, cname, dmarcTxt] = await Promise.all([
    q("A", () => resolver.resolve4(name), [] as string[]),
    q("AAAA", () => resolver.resolve6(name), [] as string[], true),
    q("MX", () => resolver.resolveMx(name), [] as { exchange: string; priority: number }[], true),
    q("TXT", () => resolver.resolveTxt(name), [] as string[][], true),
    q("CAA", () => resolver.resolveCaa(name), [] as Awaited<ReturnType<Resolver["resolveCaa"]>>, true),
    q("NS", () => resolver.resolveNs(name), [] as string[], true),
    q("CNAME", () => resolver.resolveCname(name), [] as string[], true),
    q("DMARC", () => resolver.resolveTxt(`_dmarc.${name}`), [] as string[][], true),
  ]);
  const txtValues = joinTxt(txt);
  return {
    host: name,
    a,
    aaaa,
    mx: mx
      .map(({ exchange, priority }) => ({ exchange, priority }))
      .sort((x, y) => x.priority - y.priority || x.exchange.localeCompare(y.exchange)),
    txt: txtValues,
    spf: txtValues.find((t) => /^v=spf1(\s|$)/i.test(t)) ?? null,
    dmarc: joinTxt(dmarcTxt).find((t) => /^v=DMARC1\s*(;|$)/i.test(t)) ?? null,
    caa: caa.map((record) => {
      const [tag, value] = (["issue", "issuewild", "iodef", "contactemail", "contactphone"] as const)
        .filter((key) => record[key] !== undefined)
        .map((key) => [key, String(record[key])] as const)[0] ?? ["unknown", ""];
      return { critical: record.critical, tag, value };
    }),
    ns,
    cname,
    errors,
  };
}
