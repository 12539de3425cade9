// asl-validator (every check, ARNs included) on every definition, its ${Placeholder}s substituted as CDK's
// DefinitionSubstitutions will do on deploy; and no definition names a regional resource ARN itself.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { definitionFiles, substituted, placeholders } from './definitions.mjs';

const require = createRequire(import.meta.url);
const aslValidator = require('asl-validator');

// arn:aws:states:::states:startExecution (a service integration) names no region; a function or state
// machine ARN does, and must come from a placeholder so that one definition serves every account.
const HARD_CODED_ARN = /"arn:aws[a-z-]*:[a-z0-9-]+:[a-z]{2}-[a-z]+-\d:/;

let failures = 0;
const files = definitionFiles();
if (files.length === 0) {
  console.error('no *.asl.json definitions found');
  process.exit(1);
}
for (const { name, path } of files) {
  const text = readFileSync(path, 'utf8');
  let result;
  try {
    result = aslValidator(substituted(text, `${name}.asl.json`), { checkArn: true, checkPaths: true });
  } catch (e) {
    console.error(`FAIL ${name}: ${e.message}`);
    failures++;
    continue;
  }
  if (!result.isValid) {
    console.error(`FAIL ${name}:\n  ${result.errorsText('\n  ')}`);
    failures++;
  } else if (HARD_CODED_ARN.test(text)) {
    console.error(`FAIL ${name}: names a regional ARN; use a \${Placeholder} substituted on deploy`);
    failures++;
  } else {
    console.log(`ok   ${name}.asl.json (placeholders: ${placeholders(text).join(', ') || 'none'})`);
  }
}
process.exit(failures === 0 ? 0 : 1);
