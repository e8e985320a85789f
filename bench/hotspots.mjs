// Summarises a V8 .cpuprofile (node --cpu-prof): the functions with the most self time,
// and the files with the most inclusive time, so a slow run points at file:line at once.
// Usage: node bench/hotspots.mjs <file.cpuprofile> [count]
import { readFileSync } from 'node:fs';

const [file, countArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/hotspots.mjs <file.cpuprofile> [count]');
  process.exit(2);
}
const count = Number(countArg ?? 30);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

// Self time per node from the sample list and the time deltas between samples.
const selfMicros = new Map();
profile.samples.forEach((id, i) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...selfMicros.values()].reduce((a, b) => a + b, 0);

const where = ({ callFrame: f }) => {
  const path = f.url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, 'node_modules/').replace(/^\/work\/main\//, '');
  return `${f.functionName || '(anonymous)'} ${path || '(native)'}${f.url ? `:${f.lineNumber + 1}` : ''}`;
};

const bySelf = new Map();
const byFileInclusive = new Map();
for (const [id, micros] of selfMicros) {
  const node = nodes.get(id);
  bySelf.set(where(node), (bySelf.get(where(node)) ?? 0) + micros);
  // Inclusive per file: credit every distinct file on the stack once.
  const seen = new Set();
  for (let at = id; at !== undefined; at = parent.get(at)) {
    const url = nodes.get(at).callFrame.url.replace(/^file:\/\//, '').replace(/^\/work\/main\//, '');
    const key = url.includes('node_modules/') ? url.replace(/^.*node_modules\/((@[^/]+\/)?[^/]+).*$/, 'node_modules/$1') : url;
    if (key && !seen.has(key)) {
      seen.add(key);
      byFileInclusive.set(key, (byFileInclusive.get(key) ?? 0) + micros);
    }
  }
}

const pct = (micros) => `${((100 * micros) / total).toFixed(1).padStart(5)}%`;
const top = (map) => [...map].sort((a, b) => b[1] - a[1]).slice(0, count);
console.log(`Total sampled: ${(total / 1e6).toFixed(2)} s\n\nSelf time:`);
for (const [name, micros] of top(bySelf)) console.log(`${pct(micros)}  ${name}`);
console.log('\nInclusive time by file / package:');
for (const [name, micros] of top(byFileInclusive)) console.log(`${pct(micros)}  ${name}`);
