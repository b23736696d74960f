/**
 * Capability model files for the design wizard, parsed deterministically: ArchiMate Open Exchange XML
 * (the `Capability` elements, with their documentation, and the relationships between them) or CSV with
 * a `name` column and an optional `description` column. A careful minimal XML reader: no DTDs, no
 * entities beyond the five predefined ones and character references, every tag closed in order.
 */

export const CAPABILITY_MODEL_MAX_BYTES = 10 * 1024 * 1024;
const MAX_CAPABILITIES = 200;

export interface ModelCapability {
  /** The element's identifier in the file, or `row-<n>` for CSV. */
  sourceId: string;
  name: string;
  description: string;
}

export interface ModelRelation {
  from: string;
  to: string;
  type: string;
}

export interface CapabilityModel {
  format: "archimate" | "csv";
  capabilities: ModelCapability[];
  /** Relationships between two capabilities of the file (ArchiMate only). */
  relations: ModelRelation[];
}

/** A file the wizard cannot read, with the reason a person can fix. */
export class CapabilityModelError extends Error {
  override readonly name = "CapabilityModelError";
}

export function parseCapabilityModel(fileName: string, text: string): CapabilityModel {
  if (new TextEncoder().encode(text).length > CAPABILITY_MODEL_MAX_BYTES)
    throw new CapabilityModelError("the file is larger than 10 MB");
  const trimmed = text.replace(/^\uFEFF/, "").trimStart();
  const model = trimmed.startsWith("<") ? parseArchimate(trimmed) : parseCapabilityCsv(trimmed);
  if (model.capabilities.length === 0)
    throw new CapabilityModelError(
      model.format === "archimate"
        ? `${fileName} has no element of xsi:type="Capability"`
        : `${fileName} has no capability rows`,
    );
  if (model.capabilities.length > MAX_CAPABILITIES)
    throw new CapabilityModelError(`${fileName} has more than ${MAX_CAPABILITIES} capabilities`);
  return model;
}

// ------------------------------------------------------------------------------------------------ XML

interface XmlElement {
  /** Local name, without a namespace prefix. */
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = String.raw`[A-Za-z_][\w.:-]*`;
const ATTRIBUTE = new RegExp(String.raw`\s+(${NAME})\s*=\s*(?:"([^"<]*)"|'([^'<]*)')`, "y");
const PREDEFINED: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

function decodeEntities(raw: string, line: () => number): string {
  return raw.replace(/&([^;&\s]{0,10});?/g, (whole, body: string) => {
    if (!whole.endsWith(";")) throw new CapabilityModelError(`malformed XML: a bare "&" on line ${line()}`);
    if (body in PREDEFINED) return PREDEFINED[body]!;
    const code = /^#x([0-9a-f]{1,6})$/i.exec(body)?.[1] ?? /^#(\d{1,7})$/.exec(body)?.[1];
    const point = code === undefined ? NaN : body.startsWith("#x") ? parseInt(code, 16) : Number(code);
    if (!Number.isInteger(point) || point > 0x10ffff)
      throw new CapabilityModelError(`malformed XML: unknown entity &${body}; on line ${line()}`);
    return String.fromCodePoint(point);
  });
}

const localName = (qualified: string) => qualified.slice(qualified.indexOf(":") + 1);

/** Reads a whole document into elements; throws on anything that is not well-formed. */
function parseXml(text: string): XmlElement {
  let at = 0;
  const line = () => text.slice(0, at).split("\n").length;
  const fail = (what: string): never => {
    throw new CapabilityModelError(`malformed XML: ${what} on line ${line()}`);
  };
  const root: XmlElement = { name: "#document", attributes: {}, children: [], text: "" };
  const open: { element: XmlElement; qualified: string }[] = [{ element: root, qualified: "" }];
  while (at < text.length) {
    const current = open[open.length - 1]!.element;
    const next = text.indexOf("<", at);
    const chunk = text.slice(at, next === -1 ? text.length : next);
    if (chunk.trim()) {
      if (open.length === 1) fail("text outside the root element");
      current.text += decodeEntities(chunk, line);
    }
    if (next === -1) break;
    at = next;
    if (text.startsWith("<!--", at)) {
      const end = text.indexOf("-->", at + 4);
      if (end === -1) fail("an unclosed comment");
      at = end + 3;
    } else if (text.startsWith("<![CDATA[", at)) {
      const end = text.indexOf("]]>", at);
      if (end === -1) fail("an unclosed CDATA section");
      current.text += text.slice(at + 9, end);
      at = end + 3;
    } else if (text.startsWith("<?", at)) {
      const end = text.indexOf("?>", at);
      if (end === -1) fail("an unclosed processing instruction");
      at = end + 2;
    } else if (text.startsWith("<!", at)) {
      fail("a DOCTYPE or declaration (not accepted in a capability model)");
    } else if (text.startsWith("</", at)) {
      const match = new RegExp(`</(${NAME})\\s*>`, "y");
      match.lastIndex = at;
      const closing = match.exec(text);
      if (!closing) fail("a malformed closing tag");
      const top = open.pop()!;
      if (open.length === 0 || top.qualified !== closing![1])
        fail(`</${closing![1]}> does not close <${top.qualified || "nothing"}>`);
      at = match.lastIndex;
    } else {
      const tag = new RegExp(`<(${NAME})`, "y");
      tag.lastIndex = at;
      const start = tag.exec(text);
      if (!start) fail('a "<" that starts no tag');
      if (open.length === 1 && root.children.length > 0) fail("a second root element");
      at = tag.lastIndex;
      const element: XmlElement = { name: localName(start![1]!), attributes: {}, children: [], text: "" };
      for (;;) {
        ATTRIBUTE.lastIndex = at;
        const attribute = ATTRIBUTE.exec(text);
        if (!attribute) break;
        if (attribute[1]! in element.attributes) fail(`attribute ${attribute[1]} given twice`);
        element.attributes[attribute[1]!] = decodeEntities(attribute[2] ?? attribute[3] ?? "", line);
        at = ATTRIBUTE.lastIndex;
      }
      const end = /\s*(\/?)>/y;
      end.lastIndex = at;
      const closed = end.exec(text);
      if (!closed) fail(`a malformed <${start![1]}> tag`);
      at = end.lastIndex;
      current.children.push(element);
      if (!closed![1]) open.push({ element, qualified: start![1]! });
    }
  }
  if (open.length > 1) fail(`<${open[open.length - 1]!.qualified}> is never closed`);
  if (root.children.length === 0) fail("no root element");
  return root.children[0]!;
}

/** The `xsi:type` of an element, whatever prefix the file binds the XML Schema instance namespace to. */
function elementType(element: XmlElement): string | undefined {
  const key = Object.keys(element.attributes).find((name) => name === "type" || name.endsWith(":type"));
  return key ? localName(element.attributes[key]!) : undefined;
}

const childText = (element: XmlElement, name: string) =>
  element.children
    .find((child) => child.name === name)
    ?.text.replace(/\s+/g, " ")
    .trim() ?? "";

function descendants(element: XmlElement, name: string): XmlElement[] {
  return element.children.flatMap((child) => [
    ...(child.name === name ? [child] : []),
    ...descendants(child, name),
  ]);
}

function parseArchimate(text: string): CapabilityModel {
  const root = parseXml(text);
  if (root.name !== "model")
    throw new CapabilityModelError(
      `not an ArchiMate Open Exchange file: the root element is <${root.name}>, not <model>`,
    );
  const capabilities = descendants(root, "element")
    .filter((element) => elementType(element) === "Capability")
    .map((element, index) => {
      const sourceId = element.attributes.identifier ?? `element-${index + 1}`;
      const name = childText(element, "name");
      if (!name) throw new CapabilityModelError(`capability ${sourceId} has no <name>`);
      return { sourceId, name, description: childText(element, "documentation") };
    });
  const ids = new Set(capabilities.map((capability) => capability.sourceId));
  const relations = descendants(root, "relationship")
    .map((relation) => ({
      from: relation.attributes.source ?? "",
      to: relation.attributes.target ?? "",
      type: elementType(relation) ?? "Association",
    }))
    .filter((relation) => ids.has(relation.from) && ids.has(relation.to) && relation.from !== relation.to);
  return { format: "archimate", capabilities, relations };
}

// ------------------------------------------------------------------------------------------------ CSV

/** RFC 4180 rows: quoted fields may hold commas, quotes (doubled) and line breaks. */
function csvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  let at = 0;
  while (at < text.length) {
    const char = text[at]!;
    if (quoted) {
      if (char === '"' && text[at + 1] === '"') {
        field += '"';
        at += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') {
      if (field.trim())
        throw new CapabilityModelError(`malformed CSV: a quote inside a field on row ${rows.length + 1}`);
      quoted = true;
      field = "";
    } else if (char === ",") {
      row.push(field.trim());
      field = "";
    } else if (char === "\n" || char === "\r") {
      if (char === "\r" && text[at + 1] === "\n") at += 1;
      row.push(field.trim());
      rows.push(row);
      row = [];
      field = "";
    } else field += char;
    at += 1;
  }
  if (quoted) throw new CapabilityModelError("malformed CSV: a quoted field is never closed");
  if (field || row.length > 0) rows.push([...row, field.trim()]);
  return rows.filter((cells) => cells.some((cell) => cell !== ""));
}

function parseCapabilityCsv(text: string): CapabilityModel {
  const [header, ...rows] = csvRows(text);
  const columns = (header ?? []).map((cell) => cell.toLowerCase());
  const nameAt = columns.findIndex((column) => column === "name" || column === "capability");
  if (nameAt === -1)
    throw new CapabilityModelError(
      'not a capability CSV: the first row must name a "name" (or "capability") column',
    );
  const descriptionAt = columns.findIndex((column) => column === "description" || column === "documentation");
  const capabilities = rows.map((cells, index) => {
    if (cells.length !== columns.length)
      throw new CapabilityModelError(
        `malformed CSV: row ${index + 2} has ${cells.length} fields, the header has ${columns.length}`,
      );
    const name = cells[nameAt]!;
    if (!name) throw new CapabilityModelError(`malformed CSV: row ${index + 2} has no name`);
    return {
      sourceId: `row-${index + 2}`,
      name,
      description: descriptionAt === -1 ? "" : cells[descriptionAt]!,
    };
  });
  return { format: "csv", capabilities, relations: [] };
}
