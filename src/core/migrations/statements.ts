import { lexTokens, splitTokens } from '../sql/tokens';

/**
 * How many statements a text holds, by pglens's own lexer (no WASM, so the model stays
 * synchronous): Prisma and golang-migrate send a file as one string, which Postgres runs
 * as one implicit transaction only when it holds more than one statement.
 */
export function statementCount(text: string): number {
  const tokens = lexTokens(text).filter((t) => t.kind !== 'comment');
  return splitTokens(tokens).filter(([from, to]) => to > from).length;
}

/** Upper-cased words outside comments and strings: for directives a runner reads from the statements. */
export function hasWord(text: string, word: string): boolean {
  return lexTokens(text).some((t) => t.word === word);
}
