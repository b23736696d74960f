import { TextDecoder } from "node:util";

/** The charset named in a Content-Type header, lower-cased, if any. */
export function charsetFromContentType(contentType: string): string | null {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType);
  return match?.[1]?.toLowerCase() ?? null;
}

/** `<meta charset>` or `<meta http-equiv=Content-Type content="…; charset=…">` within the first 1024 bytes, as browsers do. */
export function charsetFromMeta(head: Uint8Array): string | null {
  const text = new TextDecoder("latin1").decode(head.subarray(0, 1024));
  const direct = /<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)/i.exec(text);
  return direct?.[1]?.toLowerCase() ?? null;
}

function bomCharset(bytes: Uint8Array): string | null {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return "utf-8";
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return "utf-16be";
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return "utf-16le";
  return null;
}

function decoderFor(label: string | null): TextDecoder | null {
  if (!label) return null;
  try {
    return new TextDecoder(label);
  } catch {
    return null;
  }
}

/**
 * Decode a body the way a browser picks its encoding: byte-order mark, then
 * the Content-Type charset, then (for HTML) a meta charset, then UTF-8.
 */
export function decodeBody(bytes: Uint8Array, contentType: string): { text: string; charset: string } {
  const isHtml = /html/i.test(contentType) || contentType === "";
  const decoder =
    decoderFor(bomCharset(bytes)) ??
    decoderFor(charsetFromContentType(contentType)) ??
    (isHtml ? decoderFor(charsetFromMeta(bytes)) : null) ??
    new TextDecoder("utf-8");
  return { text: decoder.decode(bytes), charset: decoder.encoding };
}
