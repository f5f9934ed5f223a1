/**
 * Runs a bench's `main` and always `cleanup` after it, also when interrupted (Ctrl-C, a timeout):
 * what the bench started goes with it. Exits with 1 when `main` failed.
 */
export async function runBench(main: () => Promise<void>, cleanup: () => Promise<void>, log: (line: string) => void): Promise<never> {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping what the bench started`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  try {
    await main();
  } catch (e) {
    console.error(e);
    process.exitCode = 1;
  } finally {
    await cleanup();
  }
  process.exit();
}
