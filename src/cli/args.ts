/** Minimal, strict argv parsing: unknown flags are errors, never silently ignored. */
export interface ParsedArgs {
  positionals: string[];
  /** Last value of each flag. */
  flags: Map<string, string | true>;
  /** Every value of each value flag, in order (for repeatable flags such as --param). */
  lists: Map<string, string[]>;
}

export interface FlagSpec {
  /** Flags that take a value (`--format json` or `--format=json`). */
  values: string[];
  /** Flags that are on/off (`--no-analyze`, `--embedded`). */
  switches: string[];
}

export class UsageError extends Error {}

export function parseArgs(argv: string[], spec: FlagSpec): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  const lists = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    if (spec.values.includes(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      flags.set(name, value);
      lists.set(name, [...(lists.get(name) ?? []), value]);
    } else if (spec.switches.includes(name) && eq < 0) {
      flags.set(name, true);
    } else {
      throw new UsageError(`unknown option --${name} (see --help)`);
    }
  }
  return { positionals, flags, lists };
}

export function flagString(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

export function flagList(args: ParsedArgs, name: string): string[] {
  return args.lists.get(name) ?? [];
}

export function flagNumber(args: ParsedArgs, name: string): number | undefined {
  const v = flagString(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got "${v}"`);
  return n;
}

/**
 * The longest --timeout: statement_timeout takes whole milliseconds up to INT_MAX, and the
 * sandbox's Node timer would fire at once past it.
 */
export const MAX_TIMEOUT_SECONDS = 2_147_483.647;

/** `--timeout SECONDS` when given: above 0 and at most MAX_TIMEOUT_SECONDS, else a usage error naming that range. */
export function flagTimeout(args: ParsedArgs): number | undefined {
  const v = flagString(args, 'timeout');
  if (v === undefined) return undefined;
  const seconds = v.trim() === '' ? Number.NaN : Number(v);
  if (!(seconds > 0 && Math.ceil(seconds * 1000) <= 2_147_483_647)) {
    throw new UsageError(`--timeout must be a number of seconds above 0 and at most ${MAX_TIMEOUT_SECONDS} (statement_timeout's limit, 2147483647 ms), got "${v}"`);
  }
  return seconds;
}

export function flagChoice<T extends string>(args: ParsedArgs, name: string, choices: readonly T[], fallback: T): T {
  const v = flagString(args, name);
  if (v === undefined) return fallback;
  if (!(choices as readonly string[]).includes(v)) throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got "${v}"`);
  return v as T;
}
