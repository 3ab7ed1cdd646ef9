/** Whether a process with this id exists (EPERM: it does, owned by someone else). Cache cleanup uses it to spot leftovers of dead processes. */
export function processAlive(pid: number): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
