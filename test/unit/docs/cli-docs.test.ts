/**
 * Keeps docs/cli.md (the CLI contract) true to the commands: one `## \`pglens <name>\`` section
 * per registered command (src/cli/command-names.ts) and none for a command that does not exist;
 * every flag a command declares for parseArgs (its `flags.values` and `flags.switches`) named in
 * its section as `--flag`, and no `--flag` in a section that the command does not declare — but
 * for the common flags it refuses with a reason (`flags.refused`, e.g. `lint --timeout`), which
 * its section names too, so the refusal is documented.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { COMMAND_NAMES } from '../../../src/cli/command-names';
import type { Command } from '../../../src/cli/context';

const ROOT = path.resolve(__dirname, '../../..');
const DOC = path.join(ROOT, 'docs', 'cli.md');

/** Handled by main.ts before a command's flags are parsed: every command takes them. */
const GLOBAL_FLAGS = new Set(['help', 'version']);

/** A command section: from `## \`pglens <name>…\`` to the next `## ` heading (its `###` subsections included). */
function commandSections(text: string): Map<string, string> {
  const sections = new Map<string, string>();
  const headings = [...text.matchAll(/^## (.*)$/gm)];
  headings.forEach((h, i) => {
    const name = /^`pglens ([a-z][a-z-]*)[^`]*`\s*$/.exec(h[1])?.[1];
    if (!name) return;
    const end = i + 1 < headings.length ? headings[i + 1].index : text.length;
    assert.ok(!sections.has(name), `docs/cli.md has two sections for pglens ${name}`);
    sections.set(name, text.slice(h.index, end));
  });
  return sections;
}

/** Every `--flag` the text names (a whole token: `--fail-on-regression` is not `--fail-on`). */
function flagsNamed(text: string): Set<string> {
  return new Set([...text.matchAll(/(?<![\w-])--([a-z][a-z0-9]*(?:-[a-z0-9]+)*)/g)].map((m) => m[1]));
}

/** The command as main.ts loads it: `src/cli/commands/<name>.ts`'s `command` export. */
function loadCommand(name: string): Command {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the command module is chosen by name at run time
  return (require(path.join(ROOT, 'src', 'cli', 'commands', name)) as { command: Command }).command;
}

describe('CLI docs (docs/cli.md)', () => {
  const text = readFileSync(DOC, 'utf8');
  const sections = commandSections(text);

  it('has a section for every registered command, and none for a command that does not exist', () => {
    const missing = COMMAND_NAMES.filter((name) => !sections.has(name)).map((name) => `no "## \`pglens ${name}\`" section`);
    const stray = [...sections.keys()].filter((name) => !(COMMAND_NAMES as readonly string[]).includes(name)).map((name) => `"## \`pglens ${name}\`" is not a command`);
    assert.deepEqual([...missing, ...stray], []);
  });

  it('documents the commands in help order', () => {
    assert.deepEqual([...sections.keys()], [...COMMAND_NAMES]);
  });

  for (const name of COMMAND_NAMES) {
    it(`pglens ${name}: every declared flag is documented in its section, and only those`, () => {
      const command = loadCommand(name);
      assert.equal(command.name, name, `src/cli/commands/${name}.ts exports a command named "${command.name}"`);
      const section = sections.get(name);
      assert.ok(section, `docs/cli.md has no "## \`pglens ${name}\`" section`);
      const declared = new Set([...command.flags.values, ...command.flags.switches]);
      const refused = new Set(Object.keys(command.flags.refused ?? {}));
      const named = flagsNamed(section);
      const undocumented = [...declared].filter((f) => !named.has(f)).map((f) => `--${f} is declared by src/cli/commands/${name}.ts but not in its docs/cli.md section`);
      const unsaid = [...refused].filter((f) => !named.has(f)).map((f) => `--${f} is refused by src/cli/commands/${name}.ts but its docs/cli.md section does not say so`);
      const both = [...refused].filter((f) => declared.has(f)).map((f) => `--${f} is both declared and refused by src/cli/commands/${name}.ts`);
      const unknown = [...named].filter((f) => !declared.has(f) && !refused.has(f) && !GLOBAL_FLAGS.has(f)).map((f) => `--${f} is in the docs/cli.md section of ${name} but ${name} does not declare it`);
      assert.deepEqual([...undocumented, ...unsaid, ...both, ...unknown], []);
    });
  }

  it('states the formats each command offers as its --help does', () => {
    const problems: string[] = [];
    for (const name of COMMAND_NAMES) {
      const usage = loadCommand(name).usage;
      const section = sections.get(name) ?? '';
      for (const m of usage.matchAll(/--format ([a-z|]+)/g)) {
        const formats = m[1].split('|');
        for (const f of formats) if (!new RegExp(`--format[^\\n]*\\b${f}\\b`).test(section)) problems.push(`${name}: --help offers --format ${f}, its section does not`);
      }
    }
    assert.deepEqual(problems, []);
  });
});
