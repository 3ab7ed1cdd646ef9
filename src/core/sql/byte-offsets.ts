/**
 * libpg-query speaks UTF-8 byte offsets; the editor speaks UTF-16 code units. This maps
 * one to the other for a text. Pure-ASCII text (the common case) needs no table.
 */
export interface ByteOffsets {
  readonly byteLength: number;
  /** UTF-16 offset of the character containing byte `byteOffset` (clamped to the text). */
  toChar(byteOffset: number): number;
  /** UTF-8 byte offset of UTF-16 offset `charOffset`. */
  toByte(charOffset: number): number;
}

export function createByteOffsets(text: string): ByteOffsets {
  const byteLength = Buffer.byteLength(text, 'utf8');
  if (byteLength === text.length) {
    const clamp = (n: number): number => (n < 0 ? 0 : n > byteLength ? byteLength : n);
    return { byteLength, toChar: clamp, toByte: clamp };
  }
  const byteToChar = new Uint32Array(byteLength + 1);
  const charToByte = new Uint32Array(text.length + 1);
  let b = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let bytes: number;
    let units = 1;
    if (c < 0x80) bytes = 1;
    else if (c < 0x800) bytes = 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes = 4;
        units = 2;
      } else bytes = 3;
    } else bytes = 3;
    for (let k = 0; k < bytes; k++) byteToChar[b + k] = i;
    charToByte[i] = b;
    if (units === 2) charToByte[i + 1] = b;
    b += bytes;
    i += units - 1;
  }
  byteToChar[byteLength] = text.length;
  charToByte[text.length] = byteLength;
  return {
    byteLength,
    toChar: (n) => byteToChar[n < 0 ? 0 : n > byteLength ? byteLength : n],
    toByte: (n) => charToByte[n < 0 ? 0 : n > text.length ? text.length : n],
  };
}

/** UTF-16 offset reached after `codePoints` code points from `start` (Postgres error cursors count characters). */
export function advanceCodePoints(text: string, start: number, codePoints: number): number {
  let i = start;
  for (let n = 0; n < codePoints && i < text.length; n++) {
    const c = text.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
  }
  return Math.min(i, text.length);
}
