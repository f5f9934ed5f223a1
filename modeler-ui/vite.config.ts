import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DmnModdle } from 'dmn-moddle';
import { defineConfig, type Plugin } from 'vite';

const require = createRequire(import.meta.url);

const BPMNLINTRC = fileURLToPath(new URL('../.bpmnlintrc', import.meta.url));
const COMPAT = 'bpmnlint-plugin-camunda-compat';

interface LintConfig {
  extends?: string | string[];
  rules?: Record<string, unknown>;
}

/**
 * `virtual:bpmnlint-cache`: the bpmnlint rules and configs the repository's `.bpmnlintrc` (the
 * server's deployment check, definitions/lint.ts) needs, as a static-resolver cache for the
 * modeler's problems panel: the browser has no require() to find them by name the way the server's
 * lint does. bpmnlint's own rules all come along (they are small); of the Camunda compatibility
 * plugin only the configs the rc extends and the rules those configs or the rc name (today the
 * Camunda 7 ones), so the Camunda 8 rules stay out of the bundle. Our own rules
 * (definitions/lint-rules/) are added in src/bpmn/lint.ts.
 */
function bpmnlintCache(): Plugin {
  const id = 'virtual:bpmnlint-cache';
  return {
    name: 'bpmnlint-cache',
    resolveId: (source) => (source === id ? `\0${id}` : undefined),
    load(resolved) {
      if (resolved !== `\0${id}`) return undefined;
      this.addWatchFile(BPMNLINTRC);
      const rc = JSON.parse(readFileSync(BPMNLINTRC, 'utf8')) as LintConfig;
      const lines: string[] = [];
      const entries: string[] = [];
      const bpmnlintRules = join(dirname(require.resolve('bpmnlint/package.json')), 'rules');
      readdirSync(bpmnlintRules)
        .filter((f) => f.endsWith('.js') && f !== 'helper.js')
        .forEach((f, i) => {
          lines.push(`import b${i} from ${JSON.stringify(join(bpmnlintRules, f))};`);
          entries.push(`${JSON.stringify(`rule:bpmnlint/${f.replace(/\.js$/, '')}`)}: b${i}`);
        });
      lines.push(`import recommended from ${JSON.stringify(join(dirname(bpmnlintRules), 'config', 'recommended.js'))};`);
      entries.push(`"config:bpmnlint/recommended": recommended`);

      const compatDir = dirname(require.resolve(`${COMPAT}/package.json`));
      const compat = require(COMPAT) as { rules: Record<string, string>; configs: Record<string, LintConfig> };
      const compatRules = new Set<string>();
      const useRule = (name: string, fromCompatConfig: boolean) => {
        // In the plugin's configs a bare name is the plugin's rule; in the rc it is `camunda-compat/<name>`.
        const match = /^(?:bpmnlint-plugin-)?camunda-compat\/(.+)$/.exec(name);
        if (match?.[1]) compatRules.add(match[1]);
        else if (fromCompatConfig && !name.includes('/')) compatRules.add(name);
      };
      const extendsOf = (config: LintConfig) => [config.extends ?? []].flat();
      const seen = new Set<string>();
      const useConfig = (ref: string) => {
        const match = /^plugin:(?:bpmnlint-plugin-)?camunda-compat\/(.+)$/.exec(ref);
        const name = match?.[1];
        if (!name || seen.has(name)) return;
        const config = compat.configs[name];
        if (!config) throw new Error(`.bpmnlintrc extends ${ref}, which ${COMPAT} does not have`);
        seen.add(name);
        entries.push(`${JSON.stringify(`config:${COMPAT}/${name}`)}: ${JSON.stringify(config)}`);
        Object.keys(config.rules ?? {}).forEach((rule) => useRule(rule, true));
        extendsOf(config).forEach(useConfig);
      };
      extendsOf(rc).forEach(useConfig);
      Object.keys(rc.rules ?? {}).forEach((rule) => useRule(rule, false));
      [...compatRules].forEach((name, i) => {
        const path = compat.rules[name];
        if (!path) throw new Error(`.bpmnlintrc uses ${COMPAT}/${name}, which the plugin does not have`);
        // Local rules ('./rules/…'); the plugin also re-exports some of bpmnlint's (already above).
        if (!path.startsWith('.')) return;
        lines.push(`import c${i} from ${JSON.stringify(require.resolve(join(compatDir, path)))};`);
        entries.push(`${JSON.stringify(`rule:${COMPAT}/${name}`)}: c${i}`);
      });
      return `${lines.join('\n')}\nexport default {\n${entries.join(',\n')}\n};\n`;
    },
  };
}

const PROCESSES = fileURLToPath(new URL('../processes/', import.meta.url));

/**
 * `virtual:repository-ids`: the form ids (processes/forms/*.form) and decision ids (processes/*.dmn)
 * of the repository, read at build time, which the problems panel hands our lint rules as the
 * server's lint does (a `camunda:formRef` or `camunda:decisionRef` to nothing is refused there too).
 */
function repositoryIds(): Plugin {
  const id = 'virtual:repository-ids';
  return {
    name: 'repository-ids',
    resolveId: (source) => (source === id ? `\0${id}` : undefined),
    async load(resolved) {
      if (resolved !== `\0${id}`) return undefined;
      const formsDir = join(PROCESSES, 'forms');
      const forms = readdirSync(formsDir)
        .filter((f) => f.endsWith('.form'))
        .map((f) => {
          this.addWatchFile(join(formsDir, f));
          return (JSON.parse(readFileSync(join(formsDir, f), 'utf8')) as { id: string }).id;
        });
      const decisions: string[] = [];
      for (const f of readdirSync(PROCESSES).filter((f) => f.endsWith('.dmn'))) {
        this.addWatchFile(join(PROCESSES, f));
        const { rootElement } = (await new DmnModdle().fromXML(readFileSync(join(PROCESSES, f), 'utf8'))) as unknown as {
          rootElement: { drgElement?: { $type: string; id: string }[] };
        };
        decisions.push(...(rootElement.drgElement ?? []).filter((d) => d.$type === 'dmn:Decision').map((d) => d.id));
      }
      return `export const forms = ${JSON.stringify(forms)};\nexport const decisions = ${JSON.stringify(decisions)};\n`;
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
  plugins: [bpmnlintCache(), repositoryIds()],
  resolve: {
    // One preact for every editor: form-js-editor keeps an older copy of its own, while the properties
    // panel and the form viewer it renders with use the top-level one; two copies break the hooks
    // (the form editor failed to open with "Cannot read properties of undefined (reading 'context')").
    dedupe: ['preact'],
  },
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
