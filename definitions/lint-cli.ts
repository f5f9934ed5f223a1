import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { lintBpmn, lintDmn, repositoryLintContext } from './lint.ts';

/** npm run lint:bpmn — lints every BPMN and DMN file under processes/. */
const dir = new URL('../processes/', import.meta.url);
const context = await repositoryLintContext();
let errors = 0;
for (const file of readdirSync(dir).filter((f) => /\.(bpmn|dmn)$/.test(f))) {
  const xml = readFileSync(new URL(file, dir), 'utf8');
  const problems = file.endsWith('.bpmn') ? await lintBpmn(xml, undefined, context) : await lintDmn(xml);
  for (const p of problems) {
    console.log(`${path.join('processes', file)}  ${p.elementId ?? '-'}  ${p.severity}  ${p.message}  (${p.rule})`);
    if (p.severity === 'error') errors++;
  }
}
console.log(errors === 0 ? 'BPMN/DMN lint: no errors' : `BPMN/DMN lint: ${errors} error(s)`);
process.exit(errors === 0 ? 0 : 1);
