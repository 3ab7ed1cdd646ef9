/** Where a rule's docs page lives, for diagnostics' links and SARIF `helpUri` (editor and CLI agree). */
export const DOCS_BASE_URL = 'https://github.com/pglens/pglens/blob/main/docs/rules/';

export function ruleDocsUrl(ruleId: string): string {
  return `${DOCS_BASE_URL}${ruleId}.md`;
}
