import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const require = createRequire(import.meta.url);

/**
 * `virtual:bpmnlint-cache`: every bpmnlint rule and config the modeler's problems panel may need
 * (bpmnlint's own and the Camunda compatibility plugin's), as a static-resolver cache: the browser
 * has no require() to find them by name the way the server's lint does.
 */
function bpmnlintCache(): Plugin {
  const id = 'virtual:bpmnlint-cache';
  return {
    name: 'bpmnlint-cache',
    resolveId: (source) => (source === id ? `\0${id}` : undefined),
    load(resolved) {
      if (resolved !== `\0${id}`) return undefined;
      const lines: string[] = [];
      const entries: string[] = [];
      const bpmnlintRules = join(dirname(require.resolve('bpmnlint/package.json')), 'rules');
      readdirSync(bpmnlintRules)
        .filter((f) => f.endsWith('.js') && f !== 'helper.js')
        .forEach((f, i) => {
          lines.push(`import b${i} from ${JSON.stringify(join(bpmnlintRules, f))};`);
          entries.push(`${JSON.stringify(`rule:bpmnlint/${f.replace(/\.js$/, '')}`)}: b${i}`);
        });
      const compatDir = dirname(require.resolve('bpmnlint-plugin-camunda-compat/package.json'));
      const compat = require('bpmnlint-plugin-camunda-compat') as { rules: Record<string, string>; configs: Record<string, unknown> };
      Object.entries(compat.rules).forEach(([name, path], i) => {
        // Local rules ('./rules/…'); the plugin also re-exports some of bpmnlint's (already above).
        if (!path.startsWith('.')) return;
        lines.push(`import c${i} from ${JSON.stringify(require.resolve(join(compatDir, path)))};`);
        entries.push(`${JSON.stringify(`rule:bpmnlint-plugin-camunda-compat/${name}`)}: c${i}`);
      });
      for (const [name, config] of Object.entries(compat.configs)) {
        entries.push(`${JSON.stringify(`config:bpmnlint-plugin-camunda-compat/${name}`)}: ${JSON.stringify(config)}`);
      }
      lines.push(`import recommended from ${JSON.stringify(join(dirname(bpmnlintRules), 'config', 'recommended.js'))};`);
      entries.push(`"config:bpmnlint/recommended": recommended`);
      return `${lines.join('\n')}\nexport default {\n${entries.join(',\n')}\n};\n`;
    },
  };
}

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
  plugins: [bpmnlintCache()],
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
