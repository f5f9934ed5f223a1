import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * Suites that move the engine's test clock forward run last: a clock moved by days fires every
 * waiting timer of the instances earlier suites left running (escalations, reminders) and expires
 * the locks of tasks in flight, which suites that do not move it must not see.
 */
const CLOCK_SUITES = [
  'operaton-engine.test.ts',
  'operaton-processes.test.ts',
  'fault-trouble-ticket.test.ts',
  'home-broadband-exceptions.test.ts',
  'acceptance-handover.test.ts',
  'home-broadband-change.test.ts',
  'error-orders.test.ts',
  'evidence-process.test.ts',
  'sla-pause.test.ts',
];

class ClockSuitesLast extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = CLOCK_SUITES.findIndex((name) => f.moduleId.endsWith(`/${name}`));
      return i === -1 ? -1 : i;
    };
    return [...files].sort((a, b) => rank(a) - rank(b) || a.moduleId.localeCompare(b.moduleId));
  }
}

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // The suites share one engine and database: run files one after another.
    fileParallelism: false,
    sequence: { sequencer: ClockSuitesLast },
    globalSetup: ['tests/global-setup.ts'],
    testTimeout: 90_000,
    hookTimeout: 300_000,
    reporters: ['default'],
    // postgres.js 3.4.9 throws from a setImmediate when a connection closes with a write pending
    // (porsager/postgres#1154, #1208; unfixed upstream): stopping PostgreSQL in
    // fault-postgres-outage.test.ts meets it. It is not ours to fix here; every other error counts.
    onUnhandledError: (error) => {
      const e = error as { message?: string; stack?: string };
      return !(e.message === "Cannot read properties of null (reading 'write')" && /nextWrite/.test(e.stack ?? ''));
    },
  },
});
