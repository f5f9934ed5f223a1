import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { loadBusinessCalendar } from '../../calendar/business-calendar.ts';
import { ACCESS } from '../domain/auth/access.ts';
import { preferredLanguage } from '../domain/i18n/language.ts';
import { createKpiRepository } from '../domain/kpis/repository.ts';
import { KpiQuerySchema, KpisSchema, StageDurationQuerySchema, StageDurationSchema } from '../domain/kpis/schemas.ts';
import { slaPauseKpis } from '../domain/kpis/sla-pauses.ts';
import { computeKpis, period, stageDurations } from '../domain/kpis/use-cases.ts';
import { ProblemSchema } from '../errors.ts';

/** Leaders' KPIs from the read model (DOMAIN.md §5). */
export const kpiRoutes: FastifyPluginAsyncZod = async (app) => {
  const kpis = createKpiRepository(app.database.db);

  app.get(
    '/kpis',
    {
      config: { access: ACCESS.leaders },
      schema: {
        tags: ['kpis'],
        summary:
          'KPIs for a period, process and branch: stage durations (p50/p90, working time), SLA compliance by customer level, dispatch/accept rates, online resolution, acceptance, satisfaction, backlog',
        querystring: KpiQuerySchema,
        response: { 200: KpisSchema, 400: ProblemSchema },
      },
    },
    async (request) =>
      computeKpis(
        kpis,
        await loadBusinessCalendar(app.database.db),
        request.query,
        (p) => slaPauseKpis(app.database.db, p),
        preferredLanguage(request.headers['accept-language']),
      ),
  );

  app.get(
    '/kpis/stage-durations',
    {
      config: { access: ACCESS.leaders },
      schema: {
        tags: ['kpis'],
        summary: "One process's stage durations per element (working time), for the heat overlay on its diagram",
        querystring: StageDurationQuerySchema,
        response: { 200: z.array(StageDurationSchema), 400: ProblemSchema },
      },
    },
    async (request) =>
      stageDurations(
        kpis,
        await loadBusinessCalendar(app.database.db),
        period(request.query),
        request.query.branch !== undefined,
        preferredLanguage(request.headers['accept-language']),
      ),
  );
};
