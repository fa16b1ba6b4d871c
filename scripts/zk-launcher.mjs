#!/usr/bin/env node
// The harness's process launcher (see src/testing/launcher.ts): starts server JVMs on behalf of
// the test process, so that the test process never forks while its ZooKeeper clients are live.
// stdin: one JSON request per line, {"id":1,"command":"java","args":[...],"log":"/path"}.
// stdout: {"id":1,"pid":123} or {"id":1,"error":"..."}, and {"exited":123,"reason":"..."} when
// a child ends. When stdin closes (the test process ended or let us go) every child still
// running is killed and the launcher exits.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { createInterface } from 'node:readline';

const children = new Map();
const reply = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);

function launch({ id, command, args, log }) {
  const out = openSync(log, 'a');
  let child;
  try {
    child = spawn(command, args, { stdio: ['ignore', out, out] });
  } finally {
    closeSync(out);
  }
  child.once('spawn', () => {
    children.set(child.pid, child);
    reply({ id, pid: child.pid });
  });
  child.once('error', (err) => reply({ id, error: err.message }));
  child.once('exit', (code, signal) => {
    children.delete(child.pid);
    reply({ exited: child.pid, reason: signal ?? `code ${code}` });
  });
}

createInterface({ input: process.stdin })
  .on('line', (line) => {
    try {
      launch(JSON.parse(line));
    } catch (err) {
      reply({ id: null, error: String(err) });
    }
  })
  .on('close', () => {
    for (const child of children.values()) child.kill('SIGKILL');
    process.exit(0);
  });
