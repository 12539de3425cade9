// The harness must catch what it is there to catch: these run it on a small definition and check that a
// branch or Catch never taken, a missing or unused mock, a wrong path and a secret-like field all fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runDefinition, matches } from './harness.mjs';

const definition = {
  StartAt: 'Work',
  States: {
    Work: {
      Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:work', ResultPath: '$.work',
      Retry: [{ ErrorEquals: ['Lambda.ServiceException'], MaxAttempts: 2 }],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Broken' }], Next: 'Decide',
    },
    Decide: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.work.n', NumericGreaterThan: 10, Next: 'Big' },
        { Variable: '$.work.n', NumericGreaterThan: 5, Next: 'Big' },
      ],
      Default: 'Small',
    },
    Big: { Type: 'Succeed' },
    Small: { Type: 'Succeed' },
    Broken: { Type: 'Fail', Error: 'Broken' },
  },
};

const ok = (n) => ({ return: { n } });
const everything = [
  { name: 'big', mocks: { Work: [ok(20)] }, expect: { status: 'SUCCEEDED', path: ['Work', 'Decide', 'Big'] } },
  { name: 'medium', mocks: { Work: [ok(7)] }, expect: { path: ['Work', 'Decide', 'Big'] } },
  { name: 'small', mocks: { Work: [ok(1)] }, expect: { path: ['Work', 'Decide', 'Small'] } },
  { name: 'broken', mocks: { Work: [{ throw: { error: 'Boom', cause: 'x' } }] }, expect: { status: 'FAILED', error: 'Broken' } },
];

test('every state, Choice rule and Catcher taken: nothing missing', async () => {
  const r = await runDefinition('t', definition, { cases: everything });
  assert.deepEqual(r.cases.flatMap((c) => c.problems), []);
  assert.deepEqual(r.missing, []);
  assert.equal(r.targets.length, 5 + 3 + 1);
});

test('a Choice rule never taken is reported even when its target state was reached by another rule', async () => {
  const r = await runDefinition('t', definition, { cases: everything.filter((c) => c.name !== 'medium') });
  assert.deepEqual(r.missing, ['Choice Decide: rule 1 -> Big']);
});

test('a Catcher never taken and a state never entered are reported', async () => {
  const r = await runDefinition('t', definition, { cases: everything.filter((c) => c.name !== 'broken') });
  assert.deepEqual(r.missing, ['Catch Work[0] ["States.ALL"] -> Broken', 'state Broken']);
});

test('a Task without a mock answer fails the case even though the definition catches everything', async () => {
  const r = await runDefinition('t', definition, { cases: [{ name: 'no mock', mocks: {}, expect: { status: 'FAILED' } }] });
  assert.match(r.cases[0].problems.join('\n'), /Task Work called 1 time\(s\) but its mock has 0 answer\(s\)/);
});

test('mock answers left unused fail the case', async () => {
  const r = await runDefinition('t', definition, { cases: [{ name: 'extra', mocks: { Work: [ok(1), ok(2)] } }] });
  assert.match(r.cases[0].problems.join('\n'), /Task Work was called 1 time\(s\); its mock has 2 answer\(s\)/);
});

test('retried errors consume one answer per attempt', async () => {
  const r = await runDefinition('t', definition, {
    cases: [{ name: 'retried', mocks: { Work: [{ throw: { error: 'Lambda.ServiceException' } }, ok(1)] }, expect: { path: ['Work', 'Decide', 'Small'] } }],
  });
  assert.deepEqual(r.cases[0].problems, []);
});

test('a mocked States.Timeout is a task timeout: States.TaskFailed does not retry it, as on AWS', async () => {
  const timing = {
    StartAt: 'Work',
    States: {
      Work: {
        Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:work',
        Retry: [{ ErrorEquals: ['States.TaskFailed'], MaxAttempts: 1 }],
        Catch: [{ ErrorEquals: ['States.Timeout'], Next: 'TimedOut' }], Next: 'Done',
      },
      Done: { Type: 'Succeed' },
      TimedOut: { Type: 'Fail', Error: 'TimedOut' },
    },
  };
  const timeout = { throw: { error: 'States.Timeout', cause: 'Task timed out' } };
  const failed = { throw: { error: 'java.lang.IllegalStateException', cause: 'x' } };
  const r = await runDefinition('t', timing, {
    cases: [
      { name: 'timeout', mocks: { Work: [timeout] }, expect: { status: 'FAILED', error: 'TimedOut', path: ['Work', 'TimedOut'] } },
      { name: 'failure', mocks: { Work: [failed, { return: {} }] }, expect: { status: 'SUCCEEDED', path: ['Work', 'Done'] } },
    ],
  });
  assert.deepEqual(r.cases.flatMap((c) => c.problems), []);
});

test('a different path, status or task input fails the case', async () => {
  const r = await runDefinition('t', definition, {
    cases: [{ name: 'wrong', input: { a: 1 }, mocks: { Work: [ok(1)] },
      expect: { status: 'FAILED', path: ['Work', 'Big'], taskInputs: { Work: [{ a: 2 }] } } }],
  });
  const problems = r.cases[0].problems.join('\n');
  assert.match(problems, /expected FAILED but the execution SUCCEEDED/);
  assert.match(problems, /path differs/);
  assert.match(problems, /input of Work call 1 differs/);
});

test('a field named like a secret in any state input or output fails the case', async () => {
  const r = await runDefinition('t', definition, { cases: [{ name: 'leak', input: { agentToken: 'x' }, mocks: { Work: [ok(1)] } }] });
  assert.match(r.cases[0].problems.join('\n'), /field named like a secret: agentToken/);
});

test('a mock for a state that is not a Task is refused', async () => {
  const r = await runDefinition('t', definition, { cases: [{ name: 'typo', mocks: { Work: [ok(1)], Wrok: [ok(1)] } }] });
  assert.match(r.cases[0].problems.join('\n'), /mock for Wrok, which is not a Task state/);
});

test('matching treats <any-timestamp> as any ISO-8601 instant and is exact otherwise', () => {
  assert.ok(matches({ at: '<any-timestamp>' }, { at: '2030-01-01T00:00:00.000Z' }));
  assert.ok(!matches({ at: '<any-timestamp>' }, { at: 'yesterday' }));
  assert.ok(!matches({ a: 1 }, { a: 1, b: 2 }));
  assert.ok(matches({ a: 1 }, { a: 1, b: 2 }, true));
});
