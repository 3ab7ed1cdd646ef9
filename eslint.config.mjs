// ESLint for pglens (`npm run lint`, also the `lint` layer of `npm test`). Deliberately modest:
// typescript-eslint's `recommended` set (syntax only, not type-checked, so the whole tree lints
// in seconds) plus the room boundaries of docs/architecture.md. Import cycles are checked by
// scripts/import-cycles.mjs (run by `npm run lint` after ESLint), which follows type-only
// imports too; import-x/no-cycle skips those.
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';

/** media/src modules the extension may import: the host ↔ webview message protocols. */
const MEDIA_PROTOCOL_MODULES = ['./protocol.ts', './erd/erd-protocol.ts'];

const noVscode = {
  name: 'vscode',
  message: 'only src/extension may import vscode (docs/architecture.md, "Boundaries")',
};

export default tseslint.config(
  {
    ignores: ['node_modules/**', 'out/**', 'dist/**', 'media/dist/**', 'bench/results/**', 'test-results/**', '.pglens/**', 'examples/**', 'test/fixtures/**'],
  },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommended],
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `_name` marks a parameter or binding a signature requires but the body does not read
      // (tsconfig's noUnusedParameters follows the same convention).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
  {
    // Boundaries between the rooms. import-x resolves each import to a file, so a relative
    // path is judged by where it lands, whatever its spelling.
    files: ['src/**/*.ts', 'media/src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [importX.createNodeResolver({ extensions: ['.ts', '.js', '.json', '.node'] })],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', {
        zones: [
          {
            target: './src/core',
            from: ['./src/extension', './src/cli', './media'],
            message: 'src/core is the editor-free brain: it may not import src/extension, src/cli or media (docs/architecture.md, "Boundaries")',
          },
          {
            target: './src/extension',
            from: './media/src',
            except: MEDIA_PROTOCOL_MODULES,
            message: 'src/extension may import from media/src only the message protocols (media/src/protocol.ts, media/src/erd/erd-protocol.ts); share anything else through src/core or the protocol (docs/architecture.md, "Boundaries")',
          },
          {
            // Every room but core/sql: the parser is loaded and called through core/sql's modules.
            target: ['./src/extension', './src/cli', './src/core/!(sql)/**', './src/core/*.ts', './media/src'],
            from: './src/core/sql/pg-query.ts',
            message: 'libpg-query is reached through src/core/sql (parse.ts loads it once; parseSql, parseStatements, parsePlPgSqlSync), not sql/pg-query.ts directly (docs/architecture.md, "The rooms")',
          },
          {
            target: './src/cli',
            from: ['./src/extension', './media'],
            message: 'src/cli runs without an editor: it may not import src/extension or media (docs/architecture.md, "Boundaries")',
          },
        ],
      }],
    },
  },
  {
    files: ['src/core/**/*.ts', 'src/cli/**/*.ts', 'media/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [noVscode] }],
    },
  },
);
