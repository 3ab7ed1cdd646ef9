/** Minimal, strict argv parsing: unknown flags are errors, never silently ignored. */
import { SEVERITY_RANK, type Severity, type SeveritySetting } from '../core/types';

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
  /**
   * Common flags this command does not take, each with why and what to do instead: given, they
   * are a usage error with that reason (`lint --timeout`: lint never connects) rather than the
   * generic unknown-option error. Never accepted: a refused flag is not declared.
   */
  refused?: Record<string, string>;
  /**
   * Value flags an empty value (`--x ''`, `--x=`) means something for, or whose command refuses it
   * with its own reason; any other flag given an empty value is a usage error (an empty --schema
   * would otherwise check every schema, an empty --config read the current folder's).
   */
  emptyAllowed?: string[];
  /**
   * Positionals that may start with one dash and a letter (`stats export -o FILE`); any other such
   * argument is an unknown short option — pglens's options are long.
   */
  shortOptions?: string[];
  /** Positionals that may be the empty string; by default `''` is refused (`lint ''` would lint the current folder). */
  emptyPositionals?: boolean;
}

/**
 * Flags every command checks an empty value of itself, with a better reason than "is empty":
 * --timeout names its range, --db is refused as not a PostgreSQL URL, and an empty --param is a
 * parameter value like any other.
 */
const EMPTY_CHECKED_ELSEWHERE = ['timeout', 'db', 'param'];

/** An en or em dash, a figure dash, a horizontal bar or a minus sign where `--` was meant (a word processor's "smart" dashes). */
const TYPOGRAPHIC_DASH = /^[\u2012\u2013\u2014\u2015\u2212\uFE58\uFE63\uFF0D]+(?=[A-Za-z])/;

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
      const dash = TYPOGRAPHIC_DASH.exec(arg);
      if (dash) {
        const word = arg.slice(dash[0].length).split(/[=\s]/)[0];
        throw new UsageError(
          `"${arg.split(/\s/)[0]}" looks like an option written with a typographic dash (${[...dash[0]].map((c) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`).join(' ')}), ` +
            `not two hyphens: type --${word} (a word processor or chat app may have replaced the hyphens)`,
        );
      }
      const short = /^-([A-Za-z])/.exec(arg);
      if (short && !(spec.shortOptions ?? []).some((o) => arg === o || arg.startsWith(o))) {
        throw new UsageError(`unknown short option ${arg.slice(0, 2)}: pglens's options are long, written with two hyphens (--format, --file, …; see --help)`);
      }
      if (arg === '' && !spec.emptyPositionals) {
        throw new UsageError('an empty argument ("") is not a file, folder or statement: leave it out, or give the path or SQL you meant');
      }
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    if (spec.values.includes(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
      if (value.trim() === '' && !EMPTY_CHECKED_ELSEWHERE.includes(name) && !(spec.emptyAllowed ?? []).includes(name)) {
        throw new UsageError(`--${name} is empty: give it a value, or leave --${name} out (see --help)`);
      }
      flags.set(name, value);
      lists.set(name, [...(lists.get(name) ?? []), value]);
    } else if (spec.switches.includes(name) && eq < 0) {
      flags.set(name, true);
    } else if (spec.switches.includes(name)) {
      throw new UsageError(`--${name} is a switch and takes no value: write --${name} alone, not ${arg}`);
    } else if (spec.refused && Object.hasOwn(spec.refused, name)) {
      throw new UsageError(`--${name}: ${spec.refused[name]}`);
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

/**
 * A repeatable list of names: `--schema a,b --schema c` → a, b, c. A name in double quotes is
 * taken whole, as SQL writes an identifier — `--schema '"sales,eu",archive'` is the schemas
 * `sales,eu` and `archive` (`""` inside is one `"`). Blanks around a name are dropped; a flag
 * given but naming nothing (`--schema ,`) is a usage error rather than "every schema".
 */
export function flagNames(args: ParsedArgs, name: string): string[] {
  const out: string[] = [];
  for (const value of flagList(args, name)) {
    let i = 0;
    while (i <= value.length) {
      while (i < value.length && /\s/.test(value[i])) i++;
      let part = '';
      if (value[i] === '"') {
        let j = i + 1;
        for (;;) {
          if (j >= value.length) throw new UsageError(`--${name} ${value}: a quoted name has no closing "`);
          if (value[j] === '"') {
            if (value[j + 1] === '"') {
              part += '"';
              j += 2;
              continue;
            }
            break;
          }
          part += value[j++];
        }
        i = j + 1;
        while (i < value.length && /\s/.test(value[i])) i++;
        if (i < value.length && value[i] !== ',') throw new UsageError(`--${name} ${value}: put a comma after a quoted name`);
        if (part === '') throw new UsageError(`--${name} ${value}: "" names nothing`);
      } else {
        const comma = value.indexOf(',', i);
        const end = comma < 0 ? value.length : comma;
        part = value.slice(i, end).trim();
        i = end;
      }
      if (part !== '') out.push(part);
      i++;
    }
  }
  if (args.lists.has(name) && out.length === 0) throw new UsageError(`--${name} names nothing: give one or more names (see --help)`);
  return [...new Set(out)];
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

/** Every value `--fail-on` takes, on every command that has it: `off` never fails on a finding. */
export const FAIL_ON_CHOICES = ['error', 'warning', 'info', 'off'] as const;

/** `--fail-on error|warning|info|off` (docs/cli.md "Common flags"); another value is a usage error naming the choices. */
export function flagFailOn(args: ParsedArgs, fallback: SeveritySetting = 'warning'): SeveritySetting {
  return flagChoice<SeveritySetting>(args, 'fail-on', FAIL_ON_CHOICES, fallback);
}

/** Does any finding reach `--fail-on`? Never with `off`. */
export function reachesFailOn(findings: ReadonlyArray<{ severity: Severity }>, failOn: SeveritySetting): boolean {
  if (failOn === 'off') return false;
  return findings.some((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[failOn]);
}
