// Path tests of a state machine definition on aws-local-stepfunctions: every Task answered by a mock from
// the case file (no Task ever reaches AWS), every Wait and Retry pause cut to zero, and coverage computed
// from the definition itself: every state, every Choice rule and Default, every Catcher must be taken by
// some case, or the run fails.
import { StateMachine } from 'aws-local-stepfunctions';
import { allStates, coverageTargets, describeTarget } from './definitions.mjs';

const SECRET_LIKE = /(token|secret|password|credential)/i;
const ANY_TIMESTAMP = '<any-timestamp>';
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** A problem of the harness itself (missing mock, ...): fails the case even when the definition catches it. */
class HarnessError extends Error {
  constructor(message) {
    super(message);
    this.name = 'Harness.Error';
  }
}

/**
 * The library's own task-timeout error class (not exported): a mock that throws `States.Timeout` throws one of
 * these, so that, as on AWS, `States.TaskFailed` does not match it and only a retrier or catcher naming
 * `States.Timeout` (or `States.ALL`) does. Found once, by timing out a probe Task that never answers.
 */
const StatesTimeoutError = await (async () => {
  const probe = new StateMachine({
    StartAt: 'T',
    States: { T: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:probe', TimeoutSeconds: 0.001, End: true } },
  }, { validationOptions: { noValidate: true } });
  const run = probe.run({}, { overrides: { taskResourceLocalHandlers: { T: () => new Promise(() => {}) } } });
  const error = await run.result.then(() => null, (e) => e.cause);
  if (error?.name !== 'States.Timeout') throw new Error(`harness: could not obtain the library's States.Timeout error (got ${error?.name})`);
  return error.constructor;
})();

/**
 * Runs every case of one definition.
 * @returns {{cases: {name: string, problems: string[]}[], missing: string[], targets: string[]}}
 */
export async function runDefinition(name, definition, casesFile) {
  const machine = new StateMachine(definition);
  const states = allStates(definition);
  const stateByName = new Map(states.map((s) => [s.name, s.state]));
  const covered = new Set();
  const results = [];
  if (!Array.isArray(casesFile.cases) || casesFile.cases.length === 0) {
    return { cases: [{ name: '(cases file)', problems: ['has no "cases"'] }], missing: [], targets: [] };
  }
  for (const testCase of casesFile.cases) {
    const problems = await runCase(machine, definition, stateByName, casesFile, testCase, covered);
    results.push({ name: testCase.name ?? '(unnamed case)', problems });
  }
  const targets = coverageTargets(definition);
  const missing = targets.filter((t) => !covered.has(t)).map((t) => describeTarget(definition, t));
  return { cases: results, missing, targets };
}

async function runCase(machine, definition, stateByName, file, testCase, covered) {
  const problems = [];
  const input = testCase.input ?? file.input ?? {};
  const mocks = testCase.mocks ?? {};
  const calls = {};
  const taskHandlers = {};
  const waitTimeOverrides = {};
  const retryIntervalOverrides = {};
  for (const [stateName, state] of stateByName) {
    if (state.Type === 'Task') {
      taskHandlers[stateName] = async (taskInput) => {
        const answers = mocks[stateName];
        calls[stateName] = calls[stateName] ?? [];
        const n = calls[stateName].length;
        calls[stateName].push(taskInput);
        if (!Array.isArray(answers) || n >= answers.length) {
          const message = `Task ${stateName} called ${n + 1} time(s) but its mock has ${Array.isArray(answers) ? answers.length : 0} answer(s)`;
          problems.push(message);
          throw new HarnessError(message);
        }
        const answer = answers[n];
        if ('throw' in answer) {
          if (answer.throw.error === 'States.Timeout') throw new StatesTimeoutError();
          const e = new Error(answer.throw.cause ?? '');
          e.name = answer.throw.error;
          throw e;
        }
        return answer.return;
      };
    }
    if (state.Type === 'Wait') waitTimeOverrides[stateName] = 0;
    if (state.Retry) retryIntervalOverrides[stateName] = 0;
  }

  const execution = machine.run(input, {
    overrides: { taskResourceLocalHandlers: taskHandlers, waitTimeOverrides, retryIntervalOverrides },
    context: { Execution: { Name: testCase.executionName ?? 'path-test', Id: 'arn:aws:states:us-east-1:123456789012:execution:path-test:case' } },
  });
  const path = [];
  const choiceVisits = [];
  const ioSeen = [];
  let failure = null;
  for await (const event of execution.eventLogs) {
    if (event.type === 'StateEntered') {
      path.push(event.state.name);
      covered.add(`state:${event.state.name}`);
      ioSeen.push([`input of ${event.state.name}`, event.state.input]);
      if (event.state.type === 'Choice') choiceVisits.push({ name: event.state.name, input: event.state.input });
    } else if (event.type === 'StateExited') {
      ioSeen.push([`output of ${event.state.name}`, event.state.output]);
    } else if (event.type === 'ExecutionFailed') {
      failure = { Error: event.Error, Cause: event.Cause };
    } else if (event.type === 'StateCaught') {
      const catchers = stateByName.get(event.state.name).Catch;
      let i = catchers.indexOf(event.catch.catcher);
      if (i < 0) i = catchers.findIndex((c) => JSON.stringify(c) === JSON.stringify(event.catch.catcher));
      covered.add(`catch:${event.state.name}#${i}`);
    }
  }
  let status = 'SUCCEEDED';
  let output;
  let error;
  try {
    output = await execution.result;
  } catch (e) {
    status = 'FAILED';
    error = e;
  }
  for (const visit of choiceVisits) {
    covered.add(`choice:${visit.name}#${await choiceTaken(stateByName.get(visit.name), visit.input)}`);
  }
  for (const [where, value] of ioSeen) {
    const key = secretLikeKey(value);
    if (key) problems.push(`${where} has a field named like a secret: ${key}`);
  }

  const expect = testCase.expect ?? {};
  if (expect.status && expect.status !== status) {
    problems.push(`expected ${expect.status} but the execution ${status}${error ? ': ' + error.message : ''}`);
  }
  if (expect.error && status === 'FAILED' && failure?.Error !== expect.error) {
    problems.push(`expected error ${expect.error} but the execution failed with ${failure?.Error}: ${failure?.Cause}`);
  }
  if (expect.path && JSON.stringify(expect.path) !== JSON.stringify(path)) {
    problems.push(`path differs\n      expected: ${expect.path.join(' > ')}\n      actual:   ${path.join(' > ')}`);
  }
  for (const [stateName, expectedInputs] of Object.entries(expect.taskInputs ?? {})) {
    expectedInputs.forEach((expected, i) => {
      const actual = calls[stateName]?.[i];
      if (!matches(expected, actual)) {
        problems.push(`input of ${stateName} call ${i + 1} differs\n      expected: ${JSON.stringify(expected)}\n      actual:   ${JSON.stringify(actual)}`);
      }
    });
  }
  if (expect.output && !matches(expect.output, output, true)) {
    problems.push(`output differs\n      expected (subset): ${JSON.stringify(expect.output)}\n      actual: ${JSON.stringify(output)}`);
  }
  for (const [stateName, answers] of Object.entries(mocks)) {
    if (!stateByName.has(stateName) || stateByName.get(stateName).Type !== 'Task') {
      problems.push(`mock for ${stateName}, which is not a Task state of the definition`);
    } else if ((calls[stateName]?.length ?? 0) < answers.length) {
      problems.push(`Task ${stateName} was called ${calls[stateName]?.length ?? 0} time(s); its mock has ${answers.length} answer(s)`);
    }
  }
  return [...new Set(problems)];
}

/**
 * Which rule of a Choice state an input takes (`0`, `1`, ... or `Default`), decided by the library itself:
 * the same Choice, its rules pointing at one Succeed state each, run on the same input.
 */
async function choiceTaken(choice, input) {
  const probe = { ...choice, Choices: choice.Choices.map((rule, i) => ({ ...rule, Next: `Rule${i}` })) };
  const states = { Probe: probe };
  choice.Choices.forEach((_, i) => { states[`Rule${i}`] = { Type: 'Succeed' }; });
  if (choice.Default) {
    probe.Default = 'RuleDefault';
    states.RuleDefault = { Type: 'Succeed' };
  }
  // Built from a Choice of the validated definition: no need to validate it again (validation is the slow part).
  const run = new StateMachine({ StartAt: 'Probe', States: states }, { validationOptions: { noValidate: true } }).run(input);
  let taken = 'none';
  for await (const event of run.eventLogs) {
    if (event.type === 'StateEntered' && event.state.name !== 'Probe') taken = event.state.name.replace('Rule', '');
  }
  await run.result.catch(() => undefined);
  return taken;
}

/** Deep equality, where the expected string "<any-timestamp>" matches any ISO-8601 UTC timestamp; subset mode ignores extra fields. */
export function matches(expected, actual, subset = false) {
  if (expected === ANY_TIMESTAMP) return typeof actual === 'string' && ISO_TIMESTAMP.test(actual);
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && expected.length === actual.length && expected.every((e, i) => matches(e, actual[i], subset));
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false;
    const keys = Object.keys(expected);
    if (!subset && keys.length !== Object.keys(actual).length) return false;
    return keys.every((k) => k in actual && matches(expected[k], actual[k], subset));
  }
  return expected === actual;
}

function secretLikeKey(value, prefix = '') {
  if (value === null || typeof value !== 'object') return null;
  for (const [k, v] of Object.entries(value)) {
    if (!Array.isArray(value) && SECRET_LIKE.test(k)) return prefix + k;
    const nested = secretLikeKey(v, `${prefix}${k}.`);
    if (nested) return nested;
  }
  return null;
}
