// Shared by validate.mjs and run-paths.mjs: finding the definitions, substituting their ${Placeholder}s
// (as CDK's DefinitionSubstitutions does on deploy), and walking their states.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(HERE, '..');
export const SUBSTITUTIONS = JSON.parse(readFileSync(join(HERE, 'substitutions.json'), 'utf8'));

const PLACEHOLDER = /\$\{([A-Za-z0-9_]+)\}/g;

/** Every `*.asl.json` next to this directory, by name (`provision-stack`), sorted. */
export function definitionFiles() {
  return readdirSync(ROOT)
    .filter((f) => f.endsWith('.asl.json'))
    .sort()
    .map((f) => ({ name: basename(f, '.asl.json'), path: join(ROOT, f), casesPath: join(ROOT, basename(f, '.asl.json') + '.cases.json') }))
    .map((d) => ({ ...d, hasCases: existsSync(d.casesPath) }));
}

export function placeholders(text) {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]))].sort();
}

/** The definition with every placeholder replaced; throws naming a placeholder that has no value. */
export function substituted(text, file) {
  const missing = placeholders(text).filter((p) => !(p in SUBSTITUTIONS));
  if (missing.length > 0) {
    throw new Error(`${file}: no value in test/substitutions.json for \${${missing.join('}, ${')}}`);
  }
  return JSON.parse(text.replace(PLACEHOLDER, (_, p) => SUBSTITUTIONS[p]));
}

/** Every state of a definition, nested ones (Parallel branches, Map processors) included: [{name, state}]. */
export function allStates(definition) {
  const out = [];
  const walk = (machine) => {
    for (const [name, state] of Object.entries(machine.States ?? {})) {
      out.push({ name, state });
      for (const branch of state.Branches ?? []) walk(branch);
      if (state.ItemProcessor) walk(state.ItemProcessor);
      if (state.Iterator) walk(state.Iterator);
    }
  };
  walk(definition);
  return out;
}

/**
 * What a path test must reach: every state, every Choice rule and Default, every Catcher.
 * Keys: `state:<name>`, `choice:<name>#<i>` / `choice:<name>#Default`, `catch:<name>#<i>`.
 */
export function coverageTargets(definition) {
  const targets = [];
  for (const { name, state } of allStates(definition)) {
    targets.push(`state:${name}`);
    if (state.Type === 'Choice') {
      state.Choices.forEach((_, i) => targets.push(`choice:${name}#${i}`));
      if (state.Default) targets.push(`choice:${name}#Default`);
    }
    (state.Catch ?? []).forEach((_, i) => targets.push(`catch:${name}#${i}`));
  }
  return targets;
}

export function describeTarget(definition, target) {
  const [kind, rest] = target.split(/:(.*)/s);
  const [name, index] = rest.split('#');
  const state = allStates(definition).find((s) => s.name === name)?.state;
  if (kind === 'choice') {
    return index === 'Default'
      ? `Choice ${name}: Default -> ${state.Default}`
      : `Choice ${name}: rule ${index} -> ${state.Choices[Number(index)].Next}`;
  }
  if (kind === 'catch') {
    const c = state.Catch[Number(index)];
    return `Catch ${name}[${index}] ${JSON.stringify(c.ErrorEquals)} -> ${c.Next}`;
  }
  return `state ${name}`;
}
