import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { startMessageRelay, type MessageRelay, type MessageRelayOptions } from './relay.ts';

export interface MessageRelayPluginOptions {
  /** false: this API process relays nothing (another one, or a test, does). */
  enabled: boolean;
  relay?: Partial<MessageRelayOptions>;
}

/** Runs the message relay while the API runs: started when the app is ready, stopped (its pass finished) on close. */
export const messageRelay = fp(
  async (app: FastifyInstance, { enabled, relay: options }: MessageRelayPluginOptions) => {
    if (!enabled) return;
    let relay: MessageRelay | undefined;
    app.addHook('onReady', async () => {
      relay = startMessageRelay({
        database: app.database,
        engine: app.engine,
        log: app.log.child({ component: 'message-relay' }),
        engineTimeoutMs: app.settings.ENGINE_REQUEST_TIMEOUT_MS,
        options,
      });
    });
    app.addHook('onClose', async () => relay?.stop());
  },
  { name: 'message-relay' },
);
