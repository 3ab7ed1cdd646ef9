/** Every `pglens <command>`, in help order (main.ts loads each command's module when it runs). */
export const COMMAND_NAMES = ['lint', 'explain', 'plan', 'indexes', 'advise', 'demo', 'migrations', 'stats', 'health', 'queries', 'schema'] as const;

export type CommandName = (typeof COMMAND_NAMES)[number];

export function isCommandName(name: string | undefined): name is CommandName {
  return (COMMAND_NAMES as readonly (string | undefined)[]).includes(name);
}

/**
 * V8 flags the launcher sets for a command's whole process. lint runs for a fraction of a
 * second: optimising the 1.7 MB parser module in the background costs more CPU than it saves
 * (--liftoff-only, ~2× faster on a 70-file folder), and so does optimising large JavaScript
 * functions with everything they call inlined (--no-turbo-inlining, a quarter less CPU).
 */
export const COMMAND_V8_FLAGS: Partial<Record<CommandName, string>> = { lint: '--liftoff-only --no-turbo-inlining' };
