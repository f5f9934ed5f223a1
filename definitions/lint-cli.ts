import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { lintBpmn } from './lint.ts';

/** npm run lint:bpmn — lints every BPMN file under processes/. */
const dir = new URL('../processes/', import.meta.url);
let errors = 0;
for (const file of readdirSync(dir).filter((f) => f.endsWith('.bpmn'))) {
  const problems = await lintBpmn(readFileSync(new URL(file, dir), 'utf8'));
  for (const p of problems) {
    console.log(`${path.join('processes', file)}  ${p.elementId ?? '-'}  ${p.severity}  ${p.message}  (${p.rule})`);
    if (p.severity === 'error') errors++;
  }
}
console.log(errors === 0 ? 'BPMN lint: no errors' : `BPMN lint: ${errors} error(s)`);
process.exit(errors === 0 ? 0 : 1);
