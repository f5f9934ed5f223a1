import { z } from 'zod';

/** RFC 9457 problem details, as every error of the API is answered. */
export const ProblemSchema = z
  .object({
    type: z.string().describe('A URI naming the problem type; stable, use it in code'),
    title: z.string(),
    status: z.number().int(),
    code: z.string().describe('Stable machine-readable code, e.g. ORDER_NOT_FOUND'),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z
      .array(
        z.object({
          pointer: z.string().describe('JSON pointer of the field at fault, e.g. /customer/phone'),
          in: z.enum(['body', 'querystring', 'params', 'headers']).optional(),
          message: z.string(),
        }),
      )
      .optional()
      .describe('One entry per field at fault'),
  })
  .meta({ id: 'Problem' });
export type Problem = z.infer<typeof ProblemSchema>;

/** An error the API answers with a problem document; thrown by use cases, rendered by the error handler. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly errors: Problem['errors'];
  constructor(status: number, code: string, title: string, detail?: string, errors?: Problem['errors']) {
    super(detail ?? title);
    this.status = status;
    this.code = code;
    this.title = title;
    this.errors = errors;
  }
}

export const problemType = (code: string) => `https://telecom.example/problems/${code.toLowerCase().replaceAll('_', '-')}`;

/** An order's final states as customers read them. */
const CLOSED_STATES: Record<string, string> = { completed: '已完成', failed: '未能办理', cancelled: '已撤销' };

export const errors = {
  orderNotFound: (id: string) =>
    new ApiError(404, 'ORDER_NOT_FOUND', '订单不存在 / Order not found', `没有订单 ${id}。 There is no order ${id}.`),
  orderClosed: (id: string, state: string) =>
    new ApiError(
      409,
      'ORDER_CLOSED',
      '订单已结束 / Order already closed',
      `订单 ${id} ${CLOSED_STATES[state] ?? '已结束'}，不能再办理。 Order ${id} is ${state}.`,
    ),
  taskNotFound: (key: string) => new ApiError(404, 'TASK_NOT_FOUND', 'Task not found', `There is no user task ${key}.`),
  taskNotOpen: (key: string, state: string) =>
    new ApiError(409, 'TASK_NOT_OPEN', 'Task is not open', `User task ${key} is ${state}; only open tasks can be completed.`),
  invalidTaskVariables: (formId: string, fieldErrors: NonNullable<Problem['errors']>) =>
    new ApiError(
      400,
      'INVALID_TASK_VARIABLES',
      'Task variables do not satisfy the form',
      `The variables do not satisfy form ${formId}.`,
      fieldErrors,
    ),
  engineUnavailable: (detail: string) => new ApiError(503, 'ENGINE_UNAVAILABLE', 'Process engine unavailable', detail),
  databaseUnavailable: (detail: string) => new ApiError(503, 'DATABASE_UNAVAILABLE', 'Database unavailable', detail),
  processNotFound: (id: string) => new ApiError(404, 'PROCESS_NOT_FOUND', 'Process not found', `No process ${id} is deployed.`),
};
