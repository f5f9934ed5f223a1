import { fromVariableDtos, type OperatonClient } from '../../engine/operaton.ts';

/** What a scripted task does: complete with variables, or throw a BPMN error. */
export type ScriptedOutcome = { complete: Record<string, unknown> } | { error: string };

/**
 * External-task workers that answer from a script instead of running the real handlers, so a
 * process's every path can be walked through the real engine independently of the workers' logic.
 * Records which topics ran, in order.
 */
export async function scriptedWorkers(
  engine: OperatonClient,
  script: Record<string, ScriptedOutcome | ((variables: Record<string, unknown>) => ScriptedOutcome)>,
) {
  const ran: string[] = [];
  const workerId = `scripted-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  let open = true;
  const loop = (async () => {
    while (open) {
      let tasks;
      try {
        tasks = await engine.fetchAndLock({
          workerId,
          maxTasks: 10,
          asyncResponseTimeout: 500,
          topics: Object.keys(script).map((topicName) => ({ topicName, lockDuration: 30_000 })),
        });
      } catch {
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      for (const task of tasks) {
        if (!open) {
          await engine.unlockExternalTask(task.id).catch(() => undefined);
          continue;
        }
        ran.push(task.topicName);
        const outcome = script[task.topicName]!;
        const o = typeof outcome === 'function' ? outcome(fromVariableDtos(task.variables)) : outcome;
        await (
          'error' in o
            ? engine.externalTaskBpmnError(task.id, workerId, { errorCode: o.error, errorMessage: `scripted ${o.error}` })
            : engine.completeExternalTask(task.id, workerId, o.complete)
        ).catch(() => undefined);
      }
    }
  })();
  return {
    ran,
    close: async () => {
      open = false;
      await loop;
    },
  };
}
