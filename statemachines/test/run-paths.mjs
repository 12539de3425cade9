// Runs the path tests of every *.asl.json that has a *.cases.json next to it (a definition without one
// fails), then checks that the cases together took every state, Choice rule and Catcher.
import { readFileSync } from 'node:fs';
import { definitionFiles, substituted } from './definitions.mjs';
import { runDefinition } from './harness.mjs';

let failed = 0;
const files = definitionFiles();
if (files.length === 0) {
  console.error('no *.asl.json definitions found');
  process.exit(1);
}
for (const { name, path, casesPath, hasCases } of files) {
  if (!hasCases) {
    console.error(`FAIL ${name}: no ${name}.cases.json next to ${name}.asl.json`);
    failed++;
    continue;
  }
  let outcome;
  const started = Date.now();
  try {
    outcome = await runDefinition(name, substituted(readFileSync(path, 'utf8'), `${name}.asl.json`),
      JSON.parse(readFileSync(casesPath, 'utf8')));
  } catch (e) {
    console.error(`FAIL ${name}: ${e.message}`);
    failed++;
    continue;
  }
  for (const c of outcome.cases) {
    if (c.problems.length === 0) {
      console.log(`ok   ${name} > ${c.name}`);
    } else {
      console.error(`FAIL ${name} > ${c.name}\n    ${c.problems.join('\n    ')}`);
      failed++;
    }
  }
  if (outcome.missing.length > 0) {
    console.error(`FAIL ${name}: ${outcome.missing.length} of ${outcome.targets.length} coverage targets never taken:\n    ${outcome.missing.join('\n    ')}`);
    failed++;
  } else {
    console.log(`ok   ${name}: all ${outcome.targets.length} states, Choice rules and Catchers taken by ${outcome.cases.length} cases (${Date.now() - started} ms)`);
  }
}
process.exit(failed === 0 ? 0 : 1);
