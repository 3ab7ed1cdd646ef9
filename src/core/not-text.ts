/**
 * Why bytes are not a text file, or undefined: a NUL byte means a binary or UTF-16 file, which a
 * parser would stop reading at. One wording for lint, which refuses such a file (src/cli/read-input.ts),
 * and for `pglens queries --workspace`, which leaves it unread with a note (app-code/query-senders.ts).
 */
export function notTextReason(bytes: Uint8Array): string | undefined {
  const nul = bytes.indexOf(0);
  if (nul < 0) return undefined;
  let line = 1;
  for (let i = 0; i < nul; i++) if (bytes[i] === 0x0a) line++;
  return `not a text file (a NUL byte on line ${line}: binary, or UTF-16)`;
}
