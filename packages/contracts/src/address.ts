import ipaddr from "ipaddr.js";
import { isIP } from "node:net";

/**
 * Which addresses the scanner may connect to. `false` (the default): public
 * unicast only. `"loopback"`: also 127.0.0.0/8 and ::1 (tests against local
 * fixtures, which must still see 10.0.0.1 refused). `true`: also private
 * networks (RFC 1918, ULA, CGNAT) and loopback, for operators scanning their
 * own network. Link-local (cloud metadata), multicast, reserved and
 * unspecified addresses are refused in every mode.
 */
export type AllowPrivate = boolean | "loopback";

export interface AddressVerdict {
  address: string;
  allowed: boolean;
  /** Range name, e.g. "private", "loopback", "unicast". */
  range: string;
  /** Set when refused: "blocked: 10.0.0.5 is a private address". */
  reason: string | null;
}

type RangeTable = Parameters<typeof ipaddr.subnetMatch>[1];

const cidrs4 = (...list: string[]) => list.map((cidr) => ipaddr.IPv4.parseCIDR(cidr));
const cidrs6 = (...list: string[]) => list.map((cidr) => ipaddr.IPv6.parseCIDR(cidr));

// ipaddr.js lumps these into "reserved"; named separately so refusals say what they are.
const EXTRA_V4: RangeTable = {
  documentation: cidrs4("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"),
  benchmarking: cidrs4("198.18.0.0/15"),
};
const EXTRA_V6: RangeTable = {
  documentation: cidrs6("2001:db8::/32", "3fff::/20"),
};

const DESCRIPTIONS: Record<string, string> = {
  unspecified: "an unspecified address",
  broadcast: "a broadcast address",
  multicast: "a multicast address",
  linkLocal: "a link-local address",
  loopback: "a loopback address",
  carrierGradeNat: "a carrier-grade NAT (shared) address",
  private: "a private address",
  uniqueLocal: "a unique-local (private) address",
  reserved: "a reserved address",
  documentation: "a documentation address",
  benchmarking: "a benchmarking address",
  deprecatedSiteLocal: "a site-local address",
  discard: "a discard-only address",
  teredo: "a Teredo tunnel address",
  orchid2: "an ORCHID address",
  droneRemoteIdProtocolEntityTags: "a reserved address",
};

const PUBLIC_RANGES = new Set(["unicast", "as112", "amt", "as112v6"]);
const PRIVATE_RANGES = new Set(["private", "uniqueLocal", "carrierGradeNat"]);

function rangeOf(addr: ipaddr.IPv4 | ipaddr.IPv6): string {
  if (addr.kind() === "ipv4") {
    const extra = ipaddr.subnetMatch(addr, EXTRA_V4, "");
    return extra || (addr as ipaddr.IPv4).range();
  }
  const extra = ipaddr.subnetMatch(addr, EXTRA_V6, "");
  return extra || (addr as ipaddr.IPv6).range();
}

/** The IPv4 address carried inside an IPv6 one (mapped, SIIT, NAT64, 6to4), if any. */
function embeddedIPv4(v6: ipaddr.IPv6, range: string): ipaddr.IPv4 | null {
  const bytes = v6.toByteArray();
  switch (range) {
    case "ipv4Mapped":
    case "rfc6145":
    case "rfc6052":
      return new ipaddr.IPv4(bytes.slice(12, 16));
    case "6to4":
      return new ipaddr.IPv4(bytes.slice(2, 6));
    default:
      return null;
  }
}

function permitted(range: string, allowPrivate: AllowPrivate): boolean {
  if (PUBLIC_RANGES.has(range)) return true;
  if (range === "loopback") return allowPrivate !== false;
  return allowPrivate === true && PRIVATE_RANGES.has(range);
}

/** Classify one IP address (v4 or v6, any textual form ipaddr.js accepts). */
export function checkAddress(address: string, allowPrivate: AllowPrivate = false): AddressVerdict {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address.replace(/^\[|\]$/g, "").replace(/%.*$/, ""));
  } catch {
    return {
      address,
      allowed: false,
      range: "invalid",
      reason: `blocked: ${address} is not a valid IP address`,
    };
  }
  const shown = parsed.toString();
  const range = rangeOf(parsed);
  if (parsed.kind() === "ipv6") {
    const inner = embeddedIPv4(parsed as ipaddr.IPv6, range);
    if (inner) {
      const innerVerdict = checkAddress(inner.toString(), allowPrivate);
      return innerVerdict.allowed
        ? { address: shown, allowed: true, range, reason: null }
        : {
            address: shown,
            allowed: false,
            range: innerVerdict.range,
            reason: `blocked: ${shown} embeds ${inner.toString()}, ${DESCRIPTIONS[innerVerdict.range] ?? "a non-public address"}`,
          };
    }
  }
  if (permitted(range, allowPrivate)) return { address: shown, allowed: true, range, reason: null };
  return {
    address: shown,
    allowed: false,
    range,
    reason: `blocked: ${shown} is ${DESCRIPTIONS[range] ?? "a non-public address"}`,
  };
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to its addresses; injectable so tests can change answers between lookups. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

/**
 * A URL's host as an IP literal, if it is one. The WHATWG URL parser has
 * already turned decimal, octal, hex and short IPv4 forms into dotted quads
 * and bracketed IPv6 into canonical text, so only those two shapes remain.
 */
export function ipLiteral(hostname: string): ResolvedAddress | null {
  const bare = hostname.replace(/^\[|\]$/g, "");
  const family = isIP(bare);
  return family === 0 ? null : { address: bare, family: family === 6 ? 6 : 4 };
}

/** Names that always mean this machine (RFC 6761), judged as loopback without asking DNS. */
const isLocalhostName = (hostname: string) => hostname === "localhost" || hostname.endsWith(".localhost");

/**
 * The address policy for a URL's host without DNS: IP literals are checked,
 * localhost names count as loopback, any other name passes. Whoever connects
 * must still check the addresses the name resolves to. Returns the refusal, or null.
 */
export function hostRefusalWithoutDns(hostname: string, allowPrivate: AllowPrivate = false): string | null {
  const host = hostname.toLowerCase().replace(/\.$/, "");
  if (isLocalhostName(host))
    return checkAddress("127.0.0.1", allowPrivate).allowed ? null : `blocked: ${host} is a loopback name`;
  const literal = ipLiteral(host);
  return literal ? checkAddress(literal.address, allowPrivate).reason : null;
}
