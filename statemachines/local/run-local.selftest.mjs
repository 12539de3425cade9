// Checks of the local runner's rewriting (run-local.mjs): every Wait becomes a simulated-wait Task that computes
// the same seconds or timestamp and passes its input through; the deployed definitions load; the start time is
// the simulated one. The runner itself is exercised end to end by the local and integration-tests modules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import { atSimulatedTime, rewriteWaits, substitute, WAIT_RESOURCE } from './run-local.mjs';
import { HERE, SUBSTITUTIONS } from '../test/definitions.mjs';

const ROOT = join(HERE, '..');

test('every Wait of every deployed definition becomes a simulated wait with the same timing and Next', () => {
  for (const file of readdirSync(ROOT).filter((f) => f.endsWith('.asl.json'))) {
    const definition = substitute(readFileSync(join(ROOT, file), 'utf8'), file, SUBSTITUTIONS);
    const { definition: rewritten, waits, tasks } = rewriteWaits(definition);
    for (const [name, state] of Object.entries(definition.States)) {
      const now = rewritten.States[name];
      if (state.Type !== 'Wait') {
        assert.deepEqual(now, state, `${file}: ${name} is left as deployed`);
        continue;
      }
      assert.ok(waits.has(name));
      assert.equal(now.Type, 'Task');
      assert.equal(now.Resource, WAIT_RESOURCE);
      assert.equal(now.ResultPath, null, 'the input passes through, as a Wait does');
      assert.equal(now.Next, state.Next);
      assert.equal(now.End, state.End);
      const expected = {};
      if ('Seconds' in state) expected.seconds = state.Seconds;
      if ('SecondsPath' in state) expected['seconds.$'] = state.SecondsPath;
      if ('Timestamp' in state) expected.timestamp = state.Timestamp;
      if ('TimestampPath' in state) expected['timestamp.$'] = state.TimestampPath;
      assert.deepEqual(now.Parameters, expected);
    }
    for (const [name, resource] of tasks) assert.equal(resource, definition.States[name].Resource);
  }
});

test('a rewritten Wait hands its handler the computed wait and outputs its input', async () => {
  const definition = {
    StartAt: 'W',
    States: {
      W: { Type: 'Wait', SecondsPath: '$.wait', Next: 'T' },
      T: { Type: 'Wait', TimestampPath: '$.at', End: true },
    },
  };
  const { definition: rewritten } = rewriteWaits(definition);
  const calls = [];
  const handler = (name) => async (input) => {
    calls.push([name, input]);
    return { ignored: true };
  };
  const run = new StateMachine(rewritten, { validationOptions: { noValidate: true } }).run(
    { wait: 30, at: '2030-01-01T00:01:00Z', keep: 1 },
    { overrides: { taskResourceLocalHandlers: { W: handler('W'), T: handler('T') } } },
  );
  const output = await run.result;
  assert.deepEqual(calls, [['W', { seconds: 30 }], ['T', { timestamp: '2030-01-01T00:01:00Z' }]]);
  assert.deepEqual(output, { wait: 30, at: '2030-01-01T00:01:00Z', keep: 1 });
});

test('a Wait with InputPath or OutputPath is refused rather than run differently', () => {
  assert.throws(() => rewriteWaits({ StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 1, InputPath: '$.x', End: true } } }),
    /InputPath and OutputPath are not supported/);
});

test('the execution starts at the simulated instant', async () => {
  const RealDate = Date;
  const machine = new StateMachine({ StartAt: 'P', States: { P: { Type: 'Pass', Parameters: { 'startedAt.$': '$$.Execution.StartTime' }, End: true } } });
  const run = atSimulatedTime('2030-01-01T00:00:05.000Z', () => machine.run({}));
  assert.equal(Date, RealDate, 'Date is the real one again once the run has started');
  assert.deepEqual(await run.result, { startedAt: '2030-01-01T00:00:05.000Z' });
});

test('a placeholder without a value is named', () => {
  assert.throws(() => substitute('{"Resource": "${Nope}"}', 'x.asl.json', {}), /x\.asl\.json: no substitution for \$\{Nope\}/);
});
