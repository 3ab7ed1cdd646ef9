import * as assert from 'node:assert/strict';
import { escapeControl, escapeControlKeepingLayout } from '../../../src/core/escape-control';
import { guardedContext } from '../../../src/cli/output';
import type { CliContext } from '../../../src/cli/context';

/** A context recording what each stream received. */
function recorder(): { ctx: CliContext; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { ctx: { cwd: '/', env: {}, stdout: (t) => (out += t), stderr: (t) => (err += t) }, out: () => out, err: () => err };
}

describe('escapeControl', () => {
  it('spells out newlines, carriage returns, tabs, ESC, other C0 and C1 controls, DEL and U+2028/U+2029', () => {
    assert.equal(escapeControl('a\nb\rc\td'), 'a\\nb\\rc\\td');
    assert.equal(escapeControl('\x1b[31mred\x1b[0m'), '\\u001b[31mred\\u001b[0m');
    assert.equal(escapeControl('\x00\x07\x7f\x85\x9b'), '\\u0000\\u0007\\u007f\\u0085\\u009b');
    assert.equal(escapeControl('a\u2028b\u2029c'), 'a\\u2028b\\u2029c');
  });

  it('spells out the bidirectional controls that reorder what a terminal shows (Trojan Source), not right-to-left letters', () => {
    assert.equal(escapeControl('users\u202Etxt.exe'), 'users\\u202etxt.exe');
    assert.equal(escapeControl('\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069'), '\\u061c\\u200e\\u200f\\u202a\\u202b\\u202c\\u202d\\u2066\\u2067\\u2068\\u2069');
    assert.equal(escapeControlKeepingLayout('a\n\u202eb'), 'a\n\\u202eb');
    assert.equal(escapeControl('טבלה_جدول'), 'טבלה_جدول');
  });

  it('leaves printable text alone, including backslashes and non-ASCII names', () => {
    assert.equal(escapeControl('naïve_таблица "x" C:\\dir 🐘'), 'naïve_таблица "x" C:\\dir 🐘');
  });

  it('spells a character as JSON does, so escaped text inside a JSON string stays valid and the same', () => {
    const name = 'a\x1b\x85\u2028b';
    assert.equal(JSON.parse(`"${escapeControl(name)}"`), name);
  });

  it('keeping layout: newlines and tabs of a whole output stay, the rest is spelled out', () => {
    assert.equal(escapeControlKeepingLayout('a\tb\nc\x1b[2Jd\r\n'), 'a\tb\nc\\u001b[2Jd\\r\n');
  });
});

describe('guardedContext (all CLI output)', () => {
  it('lets no escape sequence or carriage return through, on stdout and stderr', () => {
    const r = recorder();
    const ctx = guardedContext(r.ctx);
    ctx.stdout('name \x1b]0;title\x07 \x9b2J\r\n');
    ctx.stderr('pglens: \x1b[31merror\n');
    assert.equal(r.out(), 'name \\u001b]0;title\\u0007 \\u009b2J\\r\n');
    assert.equal(r.err(), 'pglens: \\u001b[31merror\n');
  });

  it('makes a "::" at the start of a line inert, also after blanks and across writes', () => {
    const r = recorder();
    const ctx = guardedContext(r.ctx);
    ctx.stdout('::error file=x::pwned\n  ::warning::w\nkeep::this\n');
    ctx.stdout('  ');
    ctx.stdout('::set-output name=a::b\nmid');
    ctx.stdout('::not at a line start\n');
    assert.equal(r.out(), '\\u003a:error file=x::pwned\n  \\u003a:warning::w\nkeep::this\n  \\u003a:set-output name=a::b\nmid::not at a line start\n');
  });

  it('makes "##[…]" commands (GitHub, Azure, TeamCity) inert anywhere in a line', () => {
    const r = recorder();
    const ctx = guardedContext(r.ctx);
    ctx.stdout('table x ##[set-output name=a]b ##vso[task.setvariable]c ##teamcity[message] ## not[\n');
    assert.equal(r.out(), 'table x #\\u0023[set-output name=a]b #\\u0023vso[task.setvariable]c #\\u0023teamcity[message] ## not[\n');
  });

  it('keeps JSON valid and meaning the same', () => {
    const value = { name: '::error::x\n##[error]y\x85\u2028', list: ['\x1b[31m'] };
    const r = recorder();
    guardedContext(r.ctx).stdout(JSON.stringify(value, null, 2) + '\n');
    assert.deepEqual(JSON.parse(r.out()), value);
    assert.doesNotMatch(r.out(), /##\[|[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]|^\s*::/m);
  });

  it('writes workflow commands pglens means as they are', () => {
    const r = recorder();
    guardedContext(r.ctx).workflowCommands?.('::error file=a.sql,line=1::msg\n');
    assert.equal(r.out(), '::error file=a.sql,line=1::msg\n');
  });
});
