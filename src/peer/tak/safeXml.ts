/**
 * Untrusted XML (CoT and KML files, later TAK feeds) into a plain tree, or a `ValidationError`.
 *
 * The library is fast-xml-parser (with its sibling fast-xml-builder for output): pure
 * JavaScript ESM with no install scripts and no native parts, no `engines` floor (so it runs on
 * this project's Node 20), the same code in the browser bundle and in Node, and kept up (tens of
 * millions of downloads a week, security releases). `@tak-ps/node-cot`, which knows CoT, was
 * looked at and left: it needs Node ≥ 22 and pulls in Node-only packages (archiver, rimraf,
 * node-stream-zip) that do not bundle for the browser.
 *
 * What the parser is not trusted to stop, this module stops before it runs:
 * - a document type declaration, refused outright. CoT and KML never carry one, and it is
 *   how entity expansion attacks (billion laughs, external entities) are delivered;
 * - entities: the parser's own entity processing is off, and the five predefined entities and
 *   numeric character references are decoded here; any other `&name;` is refused;
 * - size and depth: the text, the nesting and the number of elements are bounded;
 * - well-formedness: the parser is lenient (it accepts mismatched tags), so the validator
 *   checks the text first.
 * The parser also throws plain errors on names such as `__proto__`; those become validation
 * errors too, so a caller only ever sees `ValidationError`.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ValidationError } from '../../crdt/index.js';

/** An element: attributes under `@name`, text under `#text`, children by name (one or many). */
export type XmlNode = { readonly [key: string]: XmlValue };
export type XmlValue = string | XmlNode | readonly XmlValue[];

export interface XmlLimits {
  /** Characters in the whole text. */
  readonly maxChars: number;
  /** Nesting of elements. */
  readonly maxDepth: number;
}

const ENTITY = /&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[A-Za-z][A-Za-z0-9]*);/g;
const BARE_AMPERSAND = /&(?!#x[0-9a-fA-F]{1,6};|#[0-9]{1,7};|[A-Za-z][A-Za-z0-9]*;)/;
const PREDEFINED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Decodes the predefined entities and character references; refuses any other entity. */
export function decodeEntities(field: string, text: string): string {
  if (!text.includes('&')) return text;
  if (BARE_AMPERSAND.test(text)) throw new ValidationError(field, `${field} has a bare "&" (write &amp;).`);
  return text.replace(ENTITY, (_, name: string) => {
    if (name[0] !== '#') {
      const value = PREDEFINED[name];
      if (value === undefined) throw new ValidationError(field, `${field} uses the entity "&${name};", which is not one of XML's five (&amp; &lt; &gt; &quot; &apos;); no other entity is expanded.`);
      return value;
    }
    const code = name[1] === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    // Not a character XML allows (NUL, surrogates, beyond Unicode): refused, not passed on.
    if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
      throw new ValidationError(field, `${field} has the character reference "&${name};", which is not a character.`);
    }
    return String.fromCodePoint(code);
  });
}

/**
 * A parser that keeps only the attributes its reader uses: the others (a TAK client's `takv`,
 * `__group`, `status`, …) are never copied out, which measured a third faster on ATAK position
 * reports. Elements are all kept.
 */
export type XmlReader = XMLParser;

export function xmlReader(attributes: readonly string[]): XmlReader {
  const keep = new Set(attributes);
  return new XMLParser({
    ignoreAttributes: (name: string) => !keep.has(name),
    attributeNamePrefix: '@',
    textNodeName: '#text',
    parseAttributeValue: false,
    parseTagValue: false,
    processEntities: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    // Values are kept as sent (a callsign may begin with a space); whitespace between elements
    // then shows as '#text', which readers treat as absent.
    trimValues: false,
    // Depth is also checked below with our own message; this keeps the parser from recursing far.
    maxNestedTags: 64,
    // No path strings built per element (nothing here uses them): measured ~15% faster.
    jPath: false,
  });
}

function location(error: { line: number; col: number }): string {
  return `line ${error.line}, column ${error.col}`;
}

/**
 * Parses `text` as one XML document and returns its root element's name and content.
 * Throws `ValidationError` for anything that is not a small, well-formed, entity-free document.
 */
export function parseXml(reader: XmlReader, what: string, text: unknown, limits: XmlLimits): { name: string; root: XmlNode } {
  if (typeof text !== 'string') throw new ValidationError(what, `${what} must be text, got ${typeof text}.`);
  if (text.length > limits.maxChars) {
    throw new ValidationError(what, `${what} has ${text.length.toLocaleString('en-US')} characters; at most ${limits.maxChars.toLocaleString('en-US')} are read.`);
  }
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) {
    throw new ValidationError(what, `${what} declares a document type or entities (<!DOCTYPE / <!ENTITY>); CoT and KML never do, and such declarations are how entity-expansion attacks arrive, so it is refused.`);
  }
  const depth = maxDepth(text);
  if (depth > limits.maxDepth) throw new ValidationError(what, `${what} nests elements ${depth} deep; at most ${limits.maxDepth} are read.`);
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new ValidationError(what, `${what} is not well-formed XML (${location(valid.err)}): ${valid.err.msg}`);
  let tree: unknown;
  try {
    tree = reader.parse(text);
  } catch (error) {
    // The parser throws plain errors (a reserved name such as __proto__, a limit): not a crash.
    throw new ValidationError(what, `${what} could not be read as XML: ${error instanceof Error ? error.message : String(error)}`);
  }
  const names = tree && typeof tree === 'object' ? Object.keys(tree) : [];
  if (names.length !== 1) throw new ValidationError(what, `${what} must have exactly one root element, found ${names.length}.`);
  const name = names[0]!;
  const root = (tree as Record<string, unknown>)[name];
  return { name, root: typeof root === 'object' && root !== null && !Array.isArray(root) ? (root as XmlNode) : {} };
}

/** The deepest nesting of elements in `text` (a linear scan; comments and CDATA are rare in CoT). */
function maxDepth(text: string): number {
  let depth = 0;
  let max = 0;
  for (let i = text.indexOf('<'); i !== -1; i = text.indexOf('<', i + 1)) {
    const next = text.charCodeAt(i + 1);
    if (next === 47 /* / */) depth--;
    else if (next !== 33 /* ! */ && next !== 63 /* ? */) {
      const end = text.indexOf('>', i);
      if (end === -1) break;
      if (text.charCodeAt(end - 1) !== 47) {
        depth++;
        if (depth > max) max = depth;
      }
      i = end;
    }
  }
  return max;
}

/** The children of `node` called `name`, as a list (the parser gives one child as itself). */
export function children(node: XmlNode | undefined, name: string): XmlNode[] {
  const value = node?.[name];
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  // An empty element parses to '' (no attributes, no text): an empty node.
  return list.map((v) => (typeof v === 'object' && !Array.isArray(v) ? (v as XmlNode) : typeof v === 'string' && v !== '' ? { '#text': v } : {}));
}

/** The one child `name` of `node`, undefined if absent; several are refused when `unique`. */
export function child(node: XmlNode | undefined, name: string, field: string, unique = true): XmlNode | undefined {
  const list = children(node, name);
  if (unique && list.length > 1) throw new ValidationError(field, `${field} appears ${list.length} times; CoT allows one.`);
  return list[0];
}

/** An attribute's value, entity-decoded, or undefined. */
export function attribute(node: XmlNode | undefined, name: string, field: string): string | undefined {
  const value = node?.[`@${name}`];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new ValidationError(field, `${field} is not a plain attribute.`);
  return decodeEntities(field, value);
}

/** An element's text, entity-decoded, or undefined when it has none. */
export function text(node: XmlNode | undefined, field: string): string | undefined {
  const value = node?.['#text'];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new ValidationError(field, `${field} has mixed content.`);
  return decodeEntities(field, value);
}
