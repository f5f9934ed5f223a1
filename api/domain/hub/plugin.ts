import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createHubDispatcher, type HubDispatcher } from './dispatcher.ts';

declare module 'fastify' {
  interface FastifyInstance {
    hubDispatcher: HubDispatcher;
  }
}

/** Runs the TMF hub dispatcher while the API runs: started when the app is ready, stopped (waiting for deliveries in flight) on close. */
export const hubDispatcher = fp(
  async (app: FastifyInstance) => {
    const dispatcher = createHubDispatcher({
      db: app.database.db,
      log: app.log,
      options: { customerCallbacksPublicOnly: app.settings.HUB_CUSTOMER_CALLBACKS !== 'any' },
    });
    app.decorate('hubDispatcher', dispatcher);
    app.addHook('onReady', async () => dispatcher.start());
    app.addHook('onClose', async () => dispatcher.stop());
  },
  { name: 'hub-dispatcher' },
);
