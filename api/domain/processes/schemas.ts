import { z } from 'zod';

export const ProcessIdSchema = z.string().regex(/^[A-Za-z][\w.-]{0,99}$/, 'a BPMN process id');
/** Engine keys are positive 64-bit numbers: a longer run of digits would overflow the read model's bigint (once a 500). */
export const EngineKeySchema = z
  .string()
  .regex(/^\d{1,19}$/, 'an engine key (digits)')
  // (zod runs the refinement after a failed regex too: only digits reach BigInt)
  .refine((v) => !/^\d+$/.test(v) || BigInt(v) <= 9_223_372_036_854_775_807n, 'an engine key (at most 9223372036854775807)');

export const ProcessDefinitionSchema = z
  .object({
    processId: z.string(),
    name: z.string().nullable(),
    latestVersion: z.number().int(),
    versions: z.array(
      z.object({
        version: z.number().int(),
        key: z.string().describe('Process definition key'),
        resourceName: z.string(),
        deployedAt: z.string().datetime(),
      }),
    ),
    activeInstances: z.number().int().describe('Running instances of any version'),
  })
  .meta({ id: 'ProcessDefinition' });

export const XmlQuerySchema = z.object({ version: z.coerce.number().int().min(1).max(100_000).optional() }).strict();

const MAX_RESOURCE_CHARS = 2_000_000;

export const DeployBodySchema = z
  .object({
    resources: z
      .array(
        z
          .object({
            name: z
              .string()
              .trim()
              .regex(/^[\w.-]{1,120}\.(bpmn|dmn|form)$/, 'a file name ending in .bpmn, .dmn or .form'),
            content: z.string().min(1).max(MAX_RESOURCE_CHARS, `at most ${MAX_RESOURCE_CHARS} characters`),
          })
          .strict(),
      )
      .min(1)
      .max(20),
  })
  .strict()
  .meta({
    id: 'Deploy',
    example: { resources: [{ name: 'home-broadband-new-install.bpmn', content: '<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions …' }] },
  });
export type DeployBody = z.infer<typeof DeployBodySchema>;

export const DeploymentSchema = z
  .object({
    deploymentKey: z.string().nullable().describe('The engine deployment made; null when every file was unchanged (nothing deployed)'),
    unchanged: z.boolean().describe('True when every file says what its deployed version says: no new version was created'),
    message: z.string().describe("What happened, in the reader's language (Accept-Language)"),
    processes: z.array(
      z.object({
        processId: z.string(),
        version: z.number().int(),
        key: z.string(),
        resourceName: z.string(),
        changed: z.boolean().describe('False: the deployed version is unchanged, no new version'),
      }),
    ),
    decisions: z.array(z.object({ decisionId: z.string(), version: z.number().int(), key: z.string(), changed: z.boolean() })),
    forms: z.array(z.object({ formId: z.string(), version: z.number().int(), key: z.string(), changed: z.boolean() })),
    warnings: z.array(z.object({ file: z.string(), elementId: z.string().optional(), rule: z.string(), message: z.string() })),
  })
  .meta({ id: 'Deployment' });

export const InstanceListQuerySchema = z
  .object({
    processId: ProcessIdSchema.optional(),
    state: z.enum(['active', 'completed', 'terminated']).optional(),
    businessKey: z.string().trim().min(1).max(60).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    offset: z.coerce.number().int().min(0).max(100_000).default(0),
  })
  .strict();

export const InstanceSummarySchema = z
  .object({
    key: z.string(),
    processId: z.string(),
    version: z.number().int(),
    businessKey: z.string().nullable(),
    state: z.enum(['active', 'completed', 'terminated']),
    parentKey: z.string().nullable(),
    startedAt: z.string().datetime(),
    endedAt: z.string().datetime().nullable(),
    activeIncidents: z.number().int(),
  })
  .meta({ id: 'ProcessInstanceSummary' });

export const IncidentSchema = z
  .object({
    key: z.string(),
    processInstanceKey: z.string(),
    processId: z.string(),
    elementId: z.string(),
    errorType: z.string().describe("The engine's incident type: failedExternalTask (a worker's task) or failedJob (a timer, an asynchronous step)"),
    errorMessage: z.string().nullable(),
    jobKey: z.string().nullable().describe('What failed: the external task id or the job id (its retries are restored on resolve)'),
    state: z.enum(['active', 'resolved']),
    createdAt: z.string().datetime(),
    resolvedAt: z.string().datetime().nullable(),
  })
  .meta({ id: 'Incident' });

export const ElementStateSchema = z.object({
  elementId: z.string(),
  name: z.string().nullable(),
  type: z.string(),
  completed: z.number().int().describe('Times the element completed'),
  active: z.number().int().describe('Instances of the element active now'),
  terminated: z.number().int(),
  incidents: z.number().int().describe('Active incidents on the element'),
  activeSince: z.string().datetime().nullable().describe('Start of the oldest active instance of the element'),
  dueDate: z.string().nullable().describe('Due date of an active user task on the element'),
  slaState: z.enum(['on-time', 'at-risk', 'breached', 'none']),
});

export const InstanceDetailSchema = InstanceSummarySchema.extend({
  processDefinitionKey: z.string(),
  rootKey: z.string().nullable(),
  elements: z.array(ElementStateSchema).describe('Per element: what happened there (for diagram overlays)'),
  takenFlows: z.array(z.string()).describe('Sequence flows the instance took (the path)'),
  calledInstances: z.array(z.object({ elementId: z.string(), key: z.string(), processId: z.string(), state: z.string() })),
  incidents: z.array(IncidentSchema),
}).meta({ id: 'ProcessInstance' });

export const ResolveIncidentBodySchema = z
  .object({ retries: z.number().int().min(1).max(10).default(3).describe('Retries given back to the failed job') })
  .strict()
  // Fastify hands a request without a body over as null.
  .nullish()
  .meta({ id: 'ResolveIncident', example: { retries: 3 } });
