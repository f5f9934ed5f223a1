/**
 * A load driver for home-broadband new-install chains: it creates orders through the API, finds
 * their user tasks in the API's task list and completes them with the forms' variables, confirms
 * the install for the customer, and notes when each chain's process instance has completed.
 *
 * It talks to the API through a `Transport`, so the same driver runs against a real server over
 * loopback (the benchmark) or through `app.inject` (the fault-injection tests). Many chains share
 * one task-list poll per round, as a busy clerk's screen would.
 */

export interface HttpAnswer {
  status: number;
  body: unknown;
}

export type Transport = (method: 'GET' | 'POST', url: string, body?: unknown) => Promise<HttpAnswer>;

/** The variables each user task's form asks for, on the happy path (approved, installed, passed, satisfied). */
export const HAPPY_PATH_VARIABLES: Record<string, Record<string, unknown>> = {
  'review-order': { reviewApproved: true, reviewNote: '资料齐全' },
  'make-appointment': { appointmentAt: '2026-11-24T10:00', appointmentNote: '客户上午在家' },
  'install-onsite': { onuSerial: 'ZTEG1234ABCD', fibreMeters: 35, opticalPowerDbm: -19.5 },
  'quality-check': { qualityPassed: true },
  revisit: { satisfaction: 9, revisitComment: '装机师傅很专业' },
};

export const benchOrder = (grid = 'URC-TS-01') => ({
  customer: { name: '张伟', phone: '13800138000', level: 'local-c' },
  address: '乌鲁木齐市天山区解放南路 88 号 3 单元 502',
  grid,
  product: { code: 'HB-500M', name: '500M 家庭宽带', bandwidthMbps: 500, monthlyFeeCents: 9900 },
});

export interface ChainRecord {
  orderId: string;
  processInstanceKey: string;
  createdAt: number;
  completedAt?: number;
}

export interface ChainDriverOptions {
  transport: Transport;
  /** Which of the given order ids have a completed process instance (read from the read model). */
  completedAmong(orderIds: string[]): Promise<string[]>;
  /** The body of each new order. */
  order?: () => unknown;
  processId?: string;
  /** Pause between task-list rounds. */
  pollMs?: number;
  /** Task completions in flight at once. */
  parallelism?: number;
  /** Seen answers that are not 2xx (status → count), for tests that assert on them. */
  onAnswer?: (what: string, answer: HttpAnswer) => void;
}

interface TaskRow {
  key: string;
  elementId: string;
  orderId: string | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ChainDriver {
  readonly chains = new Map<string, ChainRecord>();
  /** Order ids whose chain is still running. */
  private readonly open = new Set<string>();
  /** Task keys completed (or being completed), so a task listed again is not completed twice. */
  private readonly handled = new Set<string>();
  /**
   * Orders whose quality check was sent for completion and whose customer has not yet been heard
   * to confirm. The confirmation goes out once the completion is known (204/409), or once the task
   * is no longer listed (the answer was lost, e.g. a 503, but the engine completed it).
   */
  private readonly confirmDue = new Set<string>();
  private readonly options: Required<Omit<ChainDriverOptions, 'onAnswer'>> & Pick<ChainDriverOptions, 'onAnswer'>;
  private stopped = false;
  private loop: Promise<void> | undefined;
  errors = 0;

  constructor(options: ChainDriverOptions) {
    this.options = {
      order: () => benchOrder(),
      processId: 'home-broadband-new-install',
      pollMs: 100,
      parallelism: 16,
      ...options,
    };
  }

  get openCount(): number {
    return this.open.size;
  }

  get completedCount(): number {
    return this.chains.size - this.open.size;
  }

  /** Creates one order through POST /orders, retrying while the platform answers 503 (engine or database down). */
  async startChain({ retryUntil = Date.now() + 120_000 } = {}): Promise<ChainRecord> {
    for (;;) {
      const answer = await this.call('create order', 'POST', '/orders', this.options.order());
      if (answer.status === 201) {
        const body = answer.body as { id: string; processInstanceKey: string };
        const record = { orderId: body.id, processInstanceKey: body.processInstanceKey, createdAt: Date.now() };
        this.chains.set(record.orderId, record);
        this.open.add(record.orderId);
        return record;
      }
      if (answer.status !== 503 || Date.now() > retryUntil) {
        throw new Error(`POST /orders answered ${answer.status}: ${JSON.stringify(answer.body)}`);
      }
      await sleep(500);
    }
  }

  /** Runs task-list rounds in the background until stop(). */
  start(): void {
    if (this.loop) return;
    this.stopped = false;
    this.loop = (async () => {
      while (!this.stopped) {
        const began = Date.now();
        try {
          await this.round();
        } catch {
          this.errors++;
        }
        await sleep(Math.max(0, this.options.pollMs - (Date.now() - began)));
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    this.loop = undefined;
  }

  /** Waits until every chain started so far has completed; throws with the stragglers after the timeout. */
  async waitForAll(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.open.size > 0) {
      if (Date.now() > deadline) {
        throw new Error(`${this.open.size} of ${this.chains.size} chains did not complete: ${[...this.open].slice(0, 10).join(', ')}`);
      }
      await sleep(100);
    }
  }

  /** One round: list open tasks, complete ours, confirm after the quality check, note completed chains. */
  async round(): Promise<void> {
    if (this.open.size === 0) return;
    const listed = await this.call(
      'list tasks',
      'GET',
      `/tasks?process=${encodeURIComponent(this.options.processId)}&sort=created&order=desc&limit=500`,
    );
    if (listed.status === 200) {
      const rows = listed.body as TaskRow[];
      const ours = rows.filter(
        (t) => t.orderId !== null && this.open.has(t.orderId) && !this.handled.has(t.key) && HAPPY_PATH_VARIABLES[t.elementId],
      );
      const qualityListed = new Set(rows.filter((t) => t.elementId === 'quality-check').map((t) => t.orderId));
      const unconfirmed = [...this.confirmDue].filter((id) => this.open.has(id) && !qualityListed.has(id));
      const work: (() => Promise<void>)[] = [
        ...ours.map((t) => () => this.completeTask(t)),
        ...unconfirmed.map((id) => () => this.confirm(id)),
      ];
      await this.inParallel(work, (w) => w());
    }
    const done = await this.options.completedAmong([...this.open]);
    const now = Date.now();
    for (const id of done) {
      const chain = this.chains.get(id);
      if (chain && this.open.delete(id)) chain.completedAt = now;
    }
  }

  private async completeTask(task: TaskRow): Promise<void> {
    this.handled.add(task.key);
    if (task.elementId === 'quality-check' && task.orderId) this.confirmDue.add(task.orderId);
    const answer = await this.call('complete task', 'POST', `/tasks/${task.key}/complete`, {
      variables: HAPPY_PATH_VARIABLES[task.elementId],
    });
    // 409: the task is no longer open (an earlier attempt went through); anything else but 204 is retried next round.
    if (answer.status !== 204 && answer.status !== 409) {
      this.handled.delete(task.key);
      return;
    }
    if (task.elementId === 'quality-check' && task.orderId) await this.confirm(task.orderId);
  }

  /** The customer confirms; the engine buffers the message until the process waits for it. Retried next round unless 202/409. */
  private async confirm(orderId: string): Promise<void> {
    const confirmed = await this.call('confirm', 'POST', `/orders/${orderId}/confirm`);
    if (confirmed.status === 202 || confirmed.status === 409) this.confirmDue.delete(orderId);
  }

  private async call(what: string, method: 'GET' | 'POST', url: string, body?: unknown): Promise<HttpAnswer> {
    let answer: HttpAnswer;
    try {
      answer = await this.options.transport(method, url, body);
    } catch (e) {
      answer = { status: 0, body: String(e) };
    }
    if (answer.status === 0 || answer.status >= 400) this.errors++;
    this.options.onAnswer?.(what, answer);
    return answer;
  }

  private async inParallel<T>(items: T[], run: (item: T) => Promise<void>): Promise<void> {
    let next = 0;
    const lanes = Array.from({ length: Math.min(this.options.parallelism, items.length) }, async () => {
      while (next < items.length) await run(items[next++]!);
    });
    await Promise.all(lanes);
  }
}

/** A transport over HTTP (loopback) with a bearer token. */
export function httpTransport(baseUrl: string, token: string, timeoutMs = 30_000): Transport {
  return async (method, url, body) => {
    const res = await fetch(`${baseUrl}${url}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed };
  };
}

/** The read-model query the driver uses to see completed chains. */
export const COMPLETED_AMONG_SQL = `
  select o.id from orders o join process_instance p on p.process_instance_key = o.process_instance_key
  where o.id = any($1::text[]) and p.state = 'completed'`;
