/**
 * The XML that IAM, STS and S3 answer (and S3 takes): elements, text and entities, nothing more
 * (no DTDs, no namespaces beyond ignoring their prefixes). Small on purpose: AWS's documents are
 * plain trees of elements.
 */
import { AppwardenError } from '../../core/errors.js';

export interface XmlElement {
  name: string;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (whole, body: string) => {
    if (body.startsWith('#x')) return String.fromCodePoint(parseInt(body.slice(2), 16));
    if (body.startsWith('#')) return String.fromCodePoint(parseInt(body.slice(1), 10));
    return ENTITIES[body] ?? whole;
  });
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function invalid(reason: string): AppwardenError {
  return new AppwardenError('AW_PROVIDER_RESPONSE_INVALID', `the XML document is not well formed: ${reason}`);
}

/** Parses a document into its root element; throws AW_PROVIDER_RESPONSE_INVALID when it is not well formed. */
export function parseXml(source: string): XmlElement {
  const root: XmlElement = { name: '#document', children: [], text: '' };
  const stack: XmlElement[] = [root];
  const tag = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!\[CDATA\[([\s\S]*?)\]\]>/g;
  let last = 0;
  for (let m = tag.exec(source); m !== null; m = tag.exec(source)) {
    const top = stack[stack.length - 1]!;
    top.text += decodeEntities(source.slice(last, m.index));
    last = tag.lastIndex;
    if (m[5] !== undefined) {
      top.text += m[5];
      continue;
    }
    if (m[2] === undefined) continue; // declaration or comment
    const name = m[2].includes(':') ? m[2].slice(m[2].indexOf(':') + 1) : m[2];
    if (m[1] === '/') {
      if (top.name !== name) throw invalid(`</${name}> closes <${top.name}>`);
      stack.pop();
    } else {
      const element: XmlElement = { name, children: [], text: '' };
      top.children.push(element);
      if (m[4] !== '/') stack.push(element);
    }
  }
  if (stack.length !== 1) throw invalid(`<${stack[stack.length - 1]!.name}> is not closed`);
  if (source.slice(last).trim() !== '') throw invalid('text after the root element');
  const [first] = root.children;
  if (!first || root.children.length !== 1) throw invalid('one root element is required');
  return first;
}

/** The first child named `name`, or undefined. */
export function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return element?.children.find((c) => c.name === name);
}

/** Every child named `name`. */
export function children(element: XmlElement | undefined, name: string): XmlElement[] {
  return element?.children.filter((c) => c.name === name) ?? [];
}

/** The text of the element at `path` (child names), trimmed, or null when absent or empty. */
export function textAt(element: XmlElement | undefined, ...path: string[]): string | null {
  let at = element;
  for (const name of path) at = child(at, name);
  const text = at?.text.trim();
  return text ? text : null;
}

/** A member list (`<Users><member>...</member></Users>`, the Query API's lists) as elements. */
export function members(element: XmlElement | undefined, ...path: string[]): XmlElement[] {
  let at = element;
  for (const name of path) at = child(at, name);
  return children(at, 'member');
}

/** A tree of objects as XML: keys are element names, arrays repeat the element, strings are escaped text. */
export type XmlValue = string | number | boolean | null | undefined | XmlObject | XmlValue[];
export interface XmlObject { [name: string]: XmlValue }

export function toXml(name: string, value: XmlValue, attributes = ''): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map((v) => toXml(name, v)).join('');
  const open = `<${name}${attributes ? ` ${attributes}` : ''}>`;
  if (typeof value === 'object') return `${open}${Object.entries(value).map(([k, v]) => toXml(k, v)).join('')}</${name}>`;
  return `${open}${escapeXml(String(value))}</${name}>`;
}
