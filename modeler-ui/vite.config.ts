import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** Paths the API answers; the dev server (npm run dev:ui) passes them to npm start's API on :3000. */
const API_PREFIXES = [
  '/auth',
  '/orders',
  '/tasks',
  '/process-definitions',
  '/process-instances',
  '/deployments',
  '/decisions',
  '/forms',
  '/incidents',
  '/kpis',
  '/status',
  '/tmf-api',
  '/health',
  '/docs',
];

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The modeler chunk (bpmn-js + properties panel + lint rules) is large by nature; it loads only on its page.
    chunkSizeWarningLimit: 3000,
  },
  server: {
    port: 5173,
    proxy: Object.fromEntries(API_PREFIXES.map((p) => [p, { target: 'http://localhost:3000', changeOrigin: false }])),
  },
});
