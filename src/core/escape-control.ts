/**
 * Control characters made visible, for names and messages that came from a database or a file
 * and are about to be printed. A newline in a table name must not start a line of output (where
 * CI reads `::error …` as a command), nor an ESC reach the terminal as an escape sequence.
 *
 * Spelled as JSON spells them (`\n`, `\r`, `\t`, `\u001b`): a name reads the same in text and
 * JSON output, and escaping inside a JSON document keeps it valid JSON. Backslashes are left
 * alone, so this is for display, not reversible.
 */

/**
 * C0 controls, DEL, C1 controls (U+009B is a one-byte CSI to some terminals), U+2028/U+2029
 * (line breaks to JavaScript and some viewers), and the bidirectional controls (U+061C,
 * U+200E/U+200F, U+202A–U+202E, U+2066–U+2069), which reorder what a terminal or CI log shows
 * ("Trojan Source"): a table name must not make the text around it read otherwise. Letters of
 * right-to-left scripts are left as they are.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;
/** The same, but tab and newline: the layout of a whole output, not of a name. */
const CONTROL_BUT_LAYOUT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function spell(c: string): string {
  return SHORT[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** One name or one-line message, with every control character spelled out. */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, spell);
}

/** A whole output (several lines): every control character but its own newlines and tabs spelled out. */
export function escapeControlKeepingLayout(text: string): string {
  return text.replace(CONTROL_BUT_LAYOUT, spell);
}
