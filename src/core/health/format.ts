/** Display helpers shared by `pglens indexes` and the health view. */

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

/** 1234567 → "1.2M"; exact below 10,000 so small counts stay readable. */
export function formatCount(n: number): string {
  if (n < 10_000) return String(Math.round(n));
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 100_000 ? 1 : 0)}k`;
  if (n < 1_000_000_000) return `${(n / 1_000_000).toFixed(1)}M`;
  return `${(n / 1_000_000_000).toFixed(1)}G`;
}

/** ISO timestamp → "2024-05-01 12:34 UTC". */
export function formatTimestamp(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** How long statistics have been counted, in words a reader can trust. */
export function statsSinceText(statsReset: string | null, serverStarted: string | null): string {
  if (statsReset) return `since ${formatTimestamp(statsReset)} (last statistics reset)`;
  const up = serverStarted ? `; the server has been up since ${formatTimestamp(serverStarted)}` : '';
  return `since statistics began (no reset is recorded for this database, so the counts may go back to the cluster's creation${up})`;
}

/**
 * One word for a POSIX shell, whatever it holds: a command pglens suggests (`pg_repack`,
 * `vacuumdb`) names tables and databases, and a name like `$(rm -rf ~)` must stay a name when
 * the command is pasted. Plain names are left readable.
 */
export function shellWord(text: string): string {
  if (/^[A-Za-z0-9_.,:@%+=/-]+$/.test(text)) return text;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
