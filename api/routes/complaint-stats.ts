import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ACCESS } from '../domain/auth/access.ts';
import { ComplaintStatsQuerySchema, ComplaintStatsSchema, complaintStats } from '../domain/kpis/complaint-stats.ts';
import { ProblemSchema } from '../errors.ts';

/** Live statistics of complaint types (the complaint-handling guide's call-type statistics) for leaders. */
export const complaintStatsRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/kpis/complaint-stats',
    {
      config: { access: ACCESS.leaders },
      schema: {
        tags: ['kpis'],
        summary: "Live: today's and this week's complaints by category and branch, with the guide's standard steps for each category",
        description:
          'Read from the complaint records as they are written (a complaint counts the moment it is recorded); days and weeks in Beijing time.',
        querystring: ComplaintStatsQuerySchema,
        response: { 200: ComplaintStatsSchema, 400: ProblemSchema },
      },
    },
    async (request) => complaintStats(app.database.db, request.query),
  );
};
