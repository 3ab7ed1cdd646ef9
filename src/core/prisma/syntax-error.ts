import { topLevelBlocks, type TextBlock } from './source-text';

/**
 * Turns what prisma-ast (chevrotain) throws into one sentence that names what is wrong and
 * what to write, at the characters it is about. Chevrotain's own messages list token
 * sequences ("Expecting: one of these possible Token sequences: …"), which help nobody.
 */
export interface SyntaxProblem {
  offset: number;
  length: number;
  message: string;
}

interface ChevrotainToken {
  image: string;
  startOffset: number;
  tokenType?: { name?: string };
}

interface RecognitionError {
  name: string;
  message: string;
  token: ChevrotainToken;
  previousToken?: ChevrotainToken;
  context?: { ruleStack?: string[] };
}

const BLOCK_KEYWORDS = new Set(['model', 'enum', 'view', 'type', 'datasource', 'generator']);
const OBJECT_KEYWORDS = new Set(['model', 'view', 'type']);

export function describeSyntaxError(error: unknown, text: string): SyntaxProblem {
  const blocks = topLevelBlocks(text);
  const unknownBlock = blocks.find((b) => !BLOCK_KEYWORDS.has(b.keyword));
  if (!isRecognitionError(error)) {
    if (unknownBlock) return unknownKeyword(unknownBlock);
    const message = error instanceof Error ? error.message : String(error);
    return { offset: 0, length: 0, message: `The schema could not be read (${message}): check it with \`prisma validate\`` };
  }
  const token = error.token;
  const atEnd = token.tokenType?.name === 'EOF' || !Number.isFinite(token.startOffset);
  const offset = atEnd ? text.length : token.startOffset;
  const block = blocks.find((b) => b.keywordOffset <= offset && (b.closeOffset === undefined || offset <= b.closeOffset));
  if (block && !BLOCK_KEYWORDS.has(block.keyword)) return unknownKeyword(block);
  if (unknownBlock && unknownBlock.keywordOffset < offset) return unknownKeyword(unknownBlock);

  const rules = error.context?.ruleStack ?? [];
  const innermost = rules[rules.length - 1];
  const found = atEnd ? 'the end of the file' : describeToken(token);
  const prev = error.previousToken && Number.isFinite(error.previousToken.startOffset) ? error.previousToken : undefined;
  // A problem found at a line break or the end of the file is about what came just before it.
  const lineEnd = atEnd || token.tokenType?.name === 'LineBreak';
  const at = (t: ChevrotainToken | undefined, message: string): SyntaxProblem =>
    t ? { offset: t.startOffset, length: Math.max(1, t.image.length), message } : { offset, length: 0, message };
  const here = lineEnd && prev ? prev : atEnd ? undefined : token;

  if (atEnd) {
    const open = blocks.find((b) => b.closeOffset === undefined);
    if (open) {
      return {
        offset: open.nameOffset,
        length: Math.max(1, open.name.length),
        message: `${open.keyword} ${open.name || '(unnamed)'} is never closed: add \`}\` after its last line`,
      };
    }
  }
  if (error.name === 'NotAllInputParsedException') {
    return at(token, token.image === '}' ? 'Unexpected `}`: no block is open here; remove it' : `Unexpected ${found} outside any block`);
  }
  if (innermost === 'component') {
    return at(here, `A ${prev?.image ?? 'block'} needs a name before \`{\`, e.g. \`${prev?.image ?? 'model'} User {\``);
  }
  if (innermost === 'block' && block) {
    const expected = expectedToken(error.message);
    if (expected === 'LineBreak') {
      return at(token, `Put the contents of ${block.keyword} ${block.name} on the lines after \`{\`, one per line`);
    }
    if (token.tokenType?.name === 'Identifier' && followedByLineEnd(text, token)) {
      return OBJECT_KEYWORDS.has(block.keyword)
        ? at(token, `Field \`${token.image}\` in ${block.keyword} ${block.name} has no type: write e.g. \`${token.image} String\``)
        : at(token, `\`${token.image}\` in ${block.keyword} ${block.name} has no value: write \`${token.image} = …\``);
    }
    return at(token, `Unexpected ${found} in ${block.keyword} ${block.name}: expected a field, an attribute or \`}\``);
  }
  if ((innermost === 'fieldAttribute' || innermost === 'blockAttribute') && prev?.image.startsWith('@')) {
    return at(prev, `\`${prev.image}\` must be followed by an attribute name, e.g. \`@id\`, \`@unique\` or \`@@index([…])\``);
  }
  const expected = expectedToken(error.message);
  if (expected === "')'" || expected === "']'") {
    const closer = expected.slice(1, 2);
    const opener = closer === ')' ? '(' : '[';
    return at(here, `Unclosed \`${opener}\`: add \`${closer}\` before ${found}`);
  }
  if (expected) return at(here, `Expected ${expected.replace(/'/g, '`')} but found ${found}`);
  return at(here, `Unexpected ${found}${block ? ` in ${block.keyword} ${block.name}` : ''}`);
}

function unknownKeyword(block: TextBlock): SyntaxProblem {
  return {
    offset: block.keywordOffset,
    length: block.keyword.length,
    message: `Unknown block type \`${block.keyword}\`: a schema block starts with model, enum, view, type, datasource or generator`,
  };
}

function isRecognitionError(e: unknown): e is RecognitionError {
  return typeof e === 'object' && e !== null && 'token' in e && typeof (e as { token?: unknown }).token === 'object';
}

function describeToken(token: ChevrotainToken): string {
  if (token.tokenType?.name === 'LineBreak') return 'the end of the line';
  return `\`${token.image}\``;
}

/** The token a MismatchedTokenException expected (`')'`, `LineBreak`), from chevrotain's message. */
function expectedToken(message: string): string | undefined {
  return /Expecting --> (.+?) <--/.exec(message)?.[1];
}

function followedByLineEnd(text: string, token: ChevrotainToken): boolean {
  const rest = text.slice(token.startOffset + token.image.length);
  return /^[ \t]*(\/\/[^\n]*)?(\r?\n|$)/.test(rest);
}
