#!/usr/bin/env node
// Top frames of a V8 CPU profile (node --cpu-prof; `npm run bench -- --cpu-prof DIR` writes one per
// zone): self time per function, and the files where the time goes. Usage: node bench/profile.mjs FILE [N]
import fs from 'node:fs';
import path from 'node:path';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/profile.mjs FILE.cpuprofile [N]');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));

// Self time per node: the sampling intervals that landed in it.
const self = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i + 1] ?? 0;
  self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt);
}
const total = [...self.values()].reduce((a, b) => a + b, 0);

const where = (cf) => {
  const url = cf.url.replace(/^file:\/\//, '');
  const short = url.includes('node_modules/') ? url.slice(url.lastIndexOf('node_modules/') + 13) : path.relative(process.cwd(), url) || url;
  return short ? `${short}:${cf.lineNumber + 1}` : '';
};
const fnTotals = new Map();
const fileTotals = new Map();
for (const [id, us] of self) {
  const cf = byId.get(id).callFrame;
  const key = `${cf.functionName || '(anonymous)'}  ${where(cf)}`;
  fnTotals.set(key, (fnTotals.get(key) ?? 0) + us);
  const pkg = cf.url.includes('node_modules/')
    ? cf.url.slice(cf.url.lastIndexOf('node_modules/') + 13).split('/').slice(0, cf.url.includes('node_modules/@') ? 2 : 1).join('/')
    : cf.url
      ? path.relative(process.cwd(), cf.url.replace(/^file:\/\//, ''))
      : cf.functionName;
  fileTotals.set(pkg, (fileTotals.get(pkg) ?? 0) + us);
}
const pct = (us) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
const show = (title, map, n) => {
  console.log(title);
  for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`  ${pct(us)}  ${k}`);
};
console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled`);
show(`top ${top} functions by self time:`, fnTotals, top);
show('by package or file:', fileTotals, 15);

// Total (inclusive) time per function, as a share of the busy time (idle, program and GC
// excluded): where a request's time goes, callees included. A function is counted once per
// sample even when it recurses.
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const inclusive = new Map();
let busy = 0;
for (const [id, us] of self) {
  const name = byId.get(id).callFrame.functionName;
  if (name === '(idle)' || name === '(program)' || name === '(garbage collector)') continue;
  busy += us;
  const seen = new Set();
  for (let n = id; n !== undefined; n = parent.get(n)) {
    const cf = byId.get(n).callFrame;
    if (!cf.url) continue;
    const key = `${cf.functionName || '(anonymous)'}  ${where(cf)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + us);
  }
}
console.log(`top ${top} functions by total time (share of ${(busy / 1e6).toFixed(1)} s busy):`);
for (const [k, us] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${k}`);
