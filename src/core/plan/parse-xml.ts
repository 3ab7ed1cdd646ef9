/**
 * EXPLAIN (FORMAT XML) → the value FORMAT JSON gives for the same plan. A reader for the XML
 * explain.c writes: elements without attributes that matter, text with the five predefined
 * entities (and numeric ones), lists as repeated <Item> or as <Plans><Plan>…, <Workers><Worker>…,
 * empty groups as an element holding only a line break. Works bottom-up with an explicit stack,
 * so a plan of any depth is read without recursion.
 */
import { PglensError } from '../errors';
import { emptyGroupFor, keyFromXmlTag, xmlScalar } from './explain-keys';

const XML_HINT = 'pass the complete output of EXPLAIN (FORMAT XML), from <explain> to </explain>';

interface Frame {
  tag: string;
  key: string;
  inSettings: boolean;
  children: [string, unknown][];
  text: string;
}

export interface XmlResult {
  value: unknown;
  /** Offset just after the closing </explain> (or the end of the text). */
  end: number;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (all, name: string) => {
    if (name.startsWith('#x')) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
    return ENTITIES[name] ?? all;
  });
}

function fail(text: string, at: number, problem: string): PglensError {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < at; i = text.indexOf('\n', i + 1)) line++;
  return new PglensError('bad-input', `XML plan line ${line}: ${problem}`, XML_HINT);
}

function valueOf(frame: Frame, selfClosing: boolean): unknown {
  const { children, key } = frame;
  if (children.length === 0) {
    if (selfClosing || (frame.text.includes('\n') && frame.text.trim() === '')) return emptyGroupFor(key);
    if (frame.tag === 'Item') return decode(frame.text);
    return xmlScalar(key, decode(frame.text), frame.inSettings);
  }
  const first = children[0][0];
  // EXPLAIN's <explain> holds one <Query> per statement; auto_explain's holds the query's properties.
  if (frame.tag === 'explain' && first === 'Query') return children.filter((c) => c[0] === 'Query').map((c) => c[1]);
  let same = true;
  for (const [tag] of children) if (tag !== first) same = false;
  if (same && (first === 'Item' || frame.tag === `${first}s`)) return children.map((c) => c[1]);
  const obj: Record<string, unknown> = {};
  for (const [tag, value] of children) obj[frame.inSettings ? tag : keyFromXmlTag(tag)] = value;
  return obj;
}

/** Reads the <explain> document starting at `start` in `text`. */
export function parseXmlPlan(text: string, start = 0): XmlResult {
  const stack: Frame[] = [];
  let result: unknown;
  let i = text.indexOf('<', start);
  while (i >= 0 && i < text.length) {
    if (text.startsWith('<?', i)) {
      i = text.indexOf('?>', i);
      if (i < 0) break;
      i = text.indexOf('<', i + 2);
      continue;
    }
    if (text.startsWith('<!--', i)) {
      i = text.indexOf('-->', i);
      if (i < 0) break;
      i = text.indexOf('<', i + 3);
      continue;
    }
    const close = text.indexOf('>', i);
    if (close < 0) throw fail(text, i, 'a tag is not closed (the plan is cut off?)');
    const body = text.slice(i + 1, close);
    if (body.startsWith('/')) {
      const tag = body.slice(1).trim();
      const frame = stack.pop();
      if (!frame || frame.tag !== tag) throw fail(text, i, `</${tag}> closes ${frame ? `<${frame.tag}>` : 'nothing'}`);
      const value = valueOf(frame, false);
      if (stack.length === 0) {
        result = value;
        i = close + 1;
        break;
      }
      stack[stack.length - 1].children.push([tag, value]);
    } else {
      const selfClosing = body.endsWith('/');
      const tag = (selfClosing ? body.slice(0, -1) : body).trim().split(/\s/)[0];
      const parent = stack[stack.length - 1];
      const inSettings = parent !== undefined && (parent.inSettings || parent.key === 'Settings');
      const frame: Frame = { tag, key: inSettings ? tag : keyFromXmlTag(tag), inSettings, children: [], text: '' };
      if (selfClosing) {
        if (!parent) {
          result = emptyGroupFor(frame.key);
          i = close + 1;
          break;
        }
        parent.children.push([tag, valueOf(frame, true)]);
      } else stack.push(frame);
    }
    const next = text.indexOf('<', close + 1);
    const top = stack[stack.length - 1];
    // Only a leaf's text matters; between child elements there is just indentation.
    if (top !== undefined && top.children.length === 0) top.text += text.slice(close + 1, next < 0 ? text.length : next);
    i = next;
  }
  if (stack.length > 0) throw fail(text, text.length, `<${stack[stack.length - 1].tag}> is never closed (the plan is cut off?)`);
  if (result === undefined) throw new PglensError('bad-input', 'the XML holds no <explain> element', XML_HINT);
  return { value: result, end: i < 0 ? text.length : i };
}
