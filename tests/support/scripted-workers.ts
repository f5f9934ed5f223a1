import type { ZeebeClient } from '../../engine/camunda.ts';

/** What a scripted job does: complete with variables, or throw a BPMN error. */
export type ScriptedOutcome = { complete: Record<string, unknown> } | { error: string };

/**
 * Job workers that answer from a script instead of running the real handlers, so a process's
 * every path can be walked through the real engine independently of the workers' logic.
 * Records which job types ran, in order.
 */
export async function scriptedWorkers(
  zeebe: ZeebeClient,
  script: Record<string, ScriptedOutcome | ((variables: Record<string, unknown>) => ScriptedOutcome)>,
) {
  const ran: string[] = [];
  const streams = await Promise.all(
    Object.entries(script).map(([type, outcome]) =>
      zeebe.streamJobs({
        type,
        worker: 'scripted',
        timeout: 30_000,
        tenantIds: ['<default>'],
        pollInterval: 5_000,
        taskHandler: (job) => {
          ran.push(type);
          const o = typeof outcome === 'function' ? outcome(job.variables as Record<string, unknown>) : outcome;
          return 'error' in o
            ? job.error({ errorCode: o.error, errorMessage: `scripted ${o.error}`, variables: {} })
            : job.complete(o.complete as never);
        },
      }),
    ),
  );
  return {
    ran,
    close: () => streams.forEach((s) => s.close()),
  };
}
