import { parseArgs } from '../src/cli/args';
import { command } from '../src/cli/commands/lint';
(async () => {
  try {
    const code = await command.run(parseArgs(process.argv.slice(process.argv[2] === "lint" ? 3 : 2), command.flags), { cwd: process.cwd(), env: process.env, stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) });
    process.exitCode = code;
  } catch (e) { console.error('ERR', (e as Error).message); process.exitCode = 2; }
})();
