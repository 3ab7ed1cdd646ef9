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
