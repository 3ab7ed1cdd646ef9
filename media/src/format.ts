/** Number formatting for the viewer: compact, unit-bearing, never "NaN". */

export function formatMs(ms: number | undefined | null): string {
  if (ms === undefined || ms === null || !Number.isFinite(ms)) return '–';
  if (ms === 0) return '0 ms';
  if (Math.abs(ms) >= 60_000) return `${(ms / 60_000).toFixed(1)} min`;
  if (Math.abs(ms) >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (Math.abs(ms) >= 100) return `${ms.toFixed(0)} ms`;
  if (Math.abs(ms) >= 10) return `${ms.toFixed(1)} ms`;
  if (Math.abs(ms) >= 0.01) return `${ms.toFixed(2)} ms`;
  return `${ms.toFixed(3)} ms`;
}

export function formatCount(n: number | undefined | null): string {
  if (n === undefined || n === null || !Number.isFinite(n)) return '–';
  const a = Math.abs(n);
  if (a >= 1e9) return `${trim(n / 1e9)}G`;
  if (a >= 1e6) return `${trim(n / 1e6)}M`;
  if (a >= 1e4) return `${trim(n / 1e3)}k`;
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

function trim(x: number): string {
  return Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(1).replace(/\.0$/, '');
}

/** Share 0..1 as a percentage. */
export function formatShare(share: number | undefined | null): string {
  if (share === undefined || share === null || !Number.isFinite(share)) return '–';
  const p = share * 100;
  if (p === 0) return '0%';
  if (p < 0.1) return '<0.1%';
  return p >= 10 ? `${p.toFixed(0)}%` : `${p.toFixed(1)}%`;
}

/**
 * Estimate factor as "×12 over" / "×40 under": how far actual rows are from the estimate.
 * `factor` is actual / estimated (>1 means the planner underestimated).
 */
export function formatFactor(factor: number | undefined | null): string {
  if (factor === undefined || factor === null || !Number.isFinite(factor) || factor <= 0) return '–';
  if (factor >= 1) return factor < 1.05 ? '×1' : `×${trim(factor)} under`;
  const inv = 1 / factor;
  return inv < 1.05 ? '×1' : `×${trim(inv)} over`;
}

/** How badly an estimate is off, symmetric: 1 is exact, 10 is ten times either way. */
export function factorMagnitude(factor: number | undefined | null): number {
  if (factor === undefined || factor === null || !Number.isFinite(factor) || factor <= 0) return 1;
  return factor >= 1 ? factor : 1 / factor;
}

/** Postgres blocks are 8 kB unless compiled otherwise; the plan only ever reports blocks. */
export function formatBlocks(blocks: number | undefined | null): string {
  if (blocks === undefined || blocks === null || !Number.isFinite(blocks)) return '–';
  const bytes = blocks * 8192;
  if (bytes >= 1024 ** 3) return `${formatCount(blocks)} (${(bytes / 1024 ** 3).toFixed(1)} GB)`;
  if (bytes >= 1024 ** 2) return `${formatCount(blocks)} (${(bytes / 1024 ** 2).toFixed(1)} MB)`;
  return `${formatCount(blocks)} (${Math.round(bytes / 1024)} kB)`;
}

export function formatBytes(bytes: number | undefined | null): string {
  if (bytes === undefined || bytes === null || !Number.isFinite(bytes)) return '–';
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} kB`;
}

export function formatCost(cost: number | undefined | null): string {
  if (cost === undefined || cost === null || !Number.isFinite(cost)) return '–';
  return cost >= 1000 ? formatCount(Math.round(cost)) : cost.toFixed(2);
}

/** A signed change with its relative size: "+12 ms (+40%)". */
export function formatDelta(before: number | undefined, after: number | undefined, unit: (n: number) => string): string {
  if (before === undefined || after === undefined || !Number.isFinite(before) || !Number.isFinite(after)) return '–';
  const d = after - before;
  const sign = d > 0 ? '+' : d < 0 ? '−' : '±';
  const rel = before !== 0 ? ` (${sign}${Math.abs((d / before) * 100).toFixed(0)}%)` : '';
  return `${sign}${unit(Math.abs(d))}${rel}`;
}

/** A raw EXPLAIN property value as display text. */
export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return v.map(formatValue).join(', ');
  return JSON.stringify(v);
}
