// The local control plane's state machine runner: runs the deployed definitions (*.asl.json, placeholders
// substituted as infra substitutes them) on aws-local-stepfunctions, for the Java process that started it
// (the `local` module's StateMachineRunner).
//
//   node --import ./test/polyfills.mjs local/run-local.mjs      (working directory: statemachines/)
//   env LOCAL_CONTROL_PLANE_URL  the Java side's loopback endpoint, e.g. http://127.0.0.1:41234
//   env LOCAL_SUBSTITUTIONS      JSON object: placeholder -> value (function and state machine ARNs)
//
// Protocol. Java -> runner: JSON lines on standard input,
//   {"type":"start","definition":"provision-stack","name":"…","executionArn":"…","input":{…},"startTime":"<ISO>"}
//   {"type":"wake","id":N}
// runner -> Java: HTTP POST to LOCAL_CONTROL_PLANE_URL
//   /invoke {execution, state, resource, input}       -> {"output": …} | {"error": "…", "cause": "…"}  (every Task)
//   /wait   {execution, state, seconds | timestamp}   -> {"id": N}, then the runner waits for {"type":"wake","id":N}
//   /end    {execution, status (SUCCEEDED, FAILED, TIMED_OUT), output | error+cause, transitions, lastStates}
// and one line {"ready": true, "definitions": [...]} on standard output once every definition is loaded.
//
// Simulated time. Every Wait state (Seconds, SecondsPath, Timestamp, TimestampPath) is rewritten into a Task
// with the same Next/End whose Parameters compute the same seconds or timestamp from the same paths and whose
// ResultPath is null (its output is its input, as a Wait's is). Its handler asks Java to park the execution
// until that simulated instant; Java wakes it when its simulated clock gets there, so no Wait sleeps real
// time. Retry intervals are cut to 0 (the library has no hook to spend them in simulated time); every other
// state runs as deployed. $$.Execution.StartTime is the simulated start: the library takes it from
// `new Date()` (ignoring the context option), so Date answers the simulated instant while run() starts.
import { StateMachine } from 'aws-local-stepfunctions';
import { readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CONTROL = process.env.LOCAL_CONTROL_PLANE_URL;
const SUBSTITUTIONS = JSON.parse(process.env.LOCAL_SUBSTITUTIONS ?? '{}');
const PLACEHOLDER = /\$\{([A-Za-z0-9_]+)\}/g;
export const WAIT_RESOURCE = 'arn:aws:states:::local:simulated-wait';
const LAST_STATES = 30;
const WAIT_TIMEOUT_SECONDS = 2_000_000;

/** The definition text with every placeholder replaced; throws naming a placeholder without a value. */
export function substitute(text, file, substitutions) {
  const missing = [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]))].filter((p) => !(p in substitutions));
  if (missing.length > 0) throw new Error(`${file}: no substitution for \${${missing.join('}, ${')}}`);
  return JSON.parse(text.replace(PLACEHOLDER, (_, p) => substitutions[p]));
}

/** A copy of the definition whose Wait states are simulated-wait Tasks; also answers the Task and Wait state names. */
export function rewriteWaits(definition) {
  const copy = structuredClone(definition);
  const tasks = new Map();
  const waits = new Set();
  const retried = new Set();
  const walk = (machine) => {
    for (const [name, state] of Object.entries(machine.States ?? {})) {
      if (state.Retry) retried.add(name);
      if (state.Type === 'Task') tasks.set(name, state.Resource);
      if (state.Type === 'Wait') {
        if ('InputPath' in state || 'OutputPath' in state) {
          throw new Error(`Wait state ${name}: InputPath and OutputPath are not supported by the local runner`);
        }
        const parameters = {};
        if ('Seconds' in state) parameters.seconds = state.Seconds;
        if ('SecondsPath' in state) parameters['seconds.$'] = state.SecondsPath;
        if ('Timestamp' in state) parameters.timestamp = state.Timestamp;
        if ('TimestampPath' in state) parameters['timestamp.$'] = state.TimestampPath;
        // TimeoutSeconds: the library times Tasks out after 60 real seconds by default; a parked execution
        // may wait far longer in real time (the local server runs a day in hours). Under setTimeout's 2^31 ms.
        const task = { Type: 'Task', Comment: `simulated Wait${state.Comment ? ': ' + state.Comment : ''}`,
          Resource: WAIT_RESOURCE, Parameters: parameters, ResultPath: null, TimeoutSeconds: WAIT_TIMEOUT_SECONDS };
        if (state.Next) task.Next = state.Next;
        if (state.End) task.End = true;
        machine.States[name] = task;
        waits.add(name);
      }
      for (const branch of state.Branches ?? []) walk(branch);
      if (state.ItemProcessor) walk(state.ItemProcessor);
      if (state.Iterator) walk(state.Iterator);
    }
  };
  walk(copy);
  return { definition: copy, tasks, waits, retried };
}

/** Runs fn with `new Date()` and Date.now() answering `iso`. */
export function atSimulatedTime(iso, fn) {
  const RealDate = Date;
  const fixed = new RealDate(iso).getTime();
  class SimulatedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(fixed);
      else super(...args);
    }

    static now() {
      return fixed;
    }
  }
  globalThis.Date = SimulatedDate;
  try {
    return fn();
  } finally {
    globalThis.Date = RealDate;
  }
}

async function post(path, body) {
  const response = await fetch(CONTROL + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== 200) {
    const e = new Error(`local control plane answered ${response.status} to ${path}: ${text}`);
    e.name = 'States.Runtime';
    throw e;
  }
  return JSON.parse(text);
}

const wakers = new Map();
const earlyWakes = new Set();

function wakeWhenTold(id) {
  if (earlyWakes.delete(id)) return Promise.resolve();
  return new Promise((resolve) => wakers.set(id, resolve));
}

function load() {
  const machines = new Map();
  const files = readdirSync(ROOT).filter((f) => f.endsWith('.asl.json')).sort();
  for (const file of files) {
    const definition = substitute(readFileSync(join(ROOT, file), 'utf8'), file, SUBSTITUTIONS);
    // Validated as deployed; the rewritten copy differs only in its Wait states.
    new StateMachine(definition);
    const runnable = rewriteWaits(definition);
    machines.set(basename(file, '.asl.json'), {
      ...runnable,
      machine: new StateMachine(runnable.definition, { validationOptions: { noValidate: true } }),
    });
  }
  return machines;
}

function start(machines, msg) {
  const entry = machines.get(msg.definition);
  const execution = msg.executionArn;
  if (!entry) {
    post('/end', { execution, status: 'FAILED', error: 'Local.UnknownStateMachine', cause: `no ${msg.definition}.asl.json` })
      .catch(fatal);
    return;
  }
  const taskResourceLocalHandlers = {};
  for (const [state, resource] of entry.tasks) {
    taskResourceLocalHandlers[state] = async (input) => {
      const answer = await post('/invoke', { execution, state, resource, input });
      if ('error' in answer) {
        const e = new Error(answer.cause ?? '');
        e.name = answer.error;
        throw e;
      }
      return answer.output;
    };
  }
  for (const state of entry.waits) {
    taskResourceLocalHandlers[state] = async (input) => {
      const { id } = await post('/wait', { execution, state, ...input });
      await wakeWhenTold(id);
      return {};
    };
  }
  const retryIntervalOverrides = Object.fromEntries([...entry.retried].map((s) => [s, 0]));
  const run = atSimulatedTime(msg.startTime, () => entry.machine.run(msg.input, {
    overrides: { taskResourceLocalHandlers, retryIntervalOverrides },
    context: { Execution: { Id: execution, Name: msg.name } },
  }));
  follow(run, execution).catch(fatal);
}

async function follow(run, execution) {
  const lastStates = [];
  let transitions = 0;
  let failure = null;
  for await (const event of run.eventLogs) {
    if (event.type === 'StateEntered') {
      transitions++;
      lastStates.push(event.state.name);
      if (lastStates.length > LAST_STATES) lastStates.shift();
    } else if (event.type === 'ExecutionFailed') {
      failure = { error: event.Error, cause: event.Cause };
    } else if (event.type === 'ExecutionTimeout') {
      failure = { status: 'TIMED_OUT', error: 'States.Timeout', cause: 'the execution ran past its TimeoutSeconds' };
    }
  }
  try {
    const output = await run.result;
    await post('/end', { execution, status: 'SUCCEEDED', output, transitions, lastStates });
  } catch (e) {
    await post('/end', {
      execution,
      status: failure?.status ?? 'FAILED',
      error: failure?.error ?? e.name,
      cause: failure?.cause ?? e.message,
      transitions,
      lastStates,
    });
  }
}

function fatal(e) {
  process.stderr.write(`run-local: ${e?.stack ?? e}\n`);
  process.exit(3);
}

function main() {
  if (!CONTROL) fatal(new Error('LOCAL_CONTROL_PLANE_URL is not set'));
  const machines = load();
  process.stdout.write(JSON.stringify({ ready: true, definitions: [...machines.keys()] }) + '\n');
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line.trim() === '') return;
    const msg = JSON.parse(line);
    if (msg.type === 'start') {
      start(machines, msg);
    } else if (msg.type === 'wake') {
      const resolve = wakers.get(msg.id);
      if (resolve) {
        wakers.delete(msg.id);
        resolve();
      } else {
        earlyWakes.add(msg.id);
      }
    } else {
      fatal(new Error(`unknown message type ${msg.type}`));
    }
  });
  lines.on('close', () => process.exit(0));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    main();
  } catch (e) {
    fatal(e);
  }
}
