import { readFileSync } from 'node:fs';
import { notTextReason } from '../core/not-text';
import { PglensError } from '../core/errors';

/**
 * Reads a SQL or plan file the user named (or stdin, fd 0) as text. A UTF-8 byte order mark is
 * dropped, as the editor does, so line 1 parses. A NUL byte means a binary or UTF-16 file: the
 * parser would stop reading at it and lint nothing after it, so it is refused, not linted.
 * `shown` names the file in errors; a function when naming it costs (lint reads hundreds).
 */
export function readTextInput(file: string | 0, shown: string | (() => string)): string {
  const name = (): string => (typeof shown === 'string' ? shown : shown());
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    if (code === 'EISDIR') throw new PglensError('bad-input', `${name()} is a folder`, 'pass a file');
    throw new PglensError('bad-input', `cannot read ${name()}: ${code}`, code === 'ENOENT' ? 'check the path' : 'check the file permissions');
  }
  const notText = notTextReason(bytes);
  if (notText) throw new PglensError('bad-input', `${name()} is ${notText}`, 'pass a text file saved as UTF-8');
  const text = bytes.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
