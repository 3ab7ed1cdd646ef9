// Loaded by the VS Code extension host through `extensionTestsPath` (the contract shared by
// code-server's workbench and @vscode/test-electron): runs the bundled suites with mocha.
// The extension host's console goes nowhere a CI log can see, so the spec reporter's lines go
// to PGLENS_TEST_LOG and the counts to PGLENS_TEST_RESULT, which scripts/vscode-tests.mjs prints.
import * as fs from 'fs';
import * as path from 'path';
import { format } from 'util';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const logFile = process.env.PGLENS_TEST_LOG;
  const resultFile = process.env.PGLENS_TEST_RESULT;
  const write = (line: string): void => {
    if (logFile) fs.appendFileSync(logFile, line + '\n');
    else console.log(line);
  };
  Mocha.reporters.Base.consoleLog = (...args: unknown[]) => write(format(...args));

  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', color: false, timeout: 30_000 });
  if (process.env.PGLENS_TEST_GREP) mocha.grep(process.env.PGLENS_TEST_GREP);
  const suiteDir = path.join(__dirname, 'suite');
  for (const f of fs.readdirSync(suiteDir).sort()) {
    if (f.endsWith('.test.js')) mocha.addFile(path.join(suiteDir, f));
  }

  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      if (resultFile) {
        const { passes, pending, duration } = runner.stats ?? { passes: 0, pending: 0, duration: 0 };
        fs.writeFileSync(resultFile, JSON.stringify({ passes, failures, pending, duration }));
      }
      if (failures) reject(new Error(`${failures} editor test(s) failed`));
      else resolve();
    });
  });
}
