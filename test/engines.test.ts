import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string; dev?: boolean; engines?: { node?: string } }>;
};
const ci = readFileSync(join(root, '.ci', 'run'), 'utf8');

/** The first release of each Node.js line Authgate supports: where require() of ES modules is unflagged. */
const FLOORS = ['20.19.0', '22.12.0'];
/** Runtime dependencies whose declared engines exclude a supported line, with why that is accepted. */
const ACCEPTED: Record<string, string> = {
  // @fastify/cookie's cookie@2 declares node >=22 but works on 20: the whole suite runs on Node 20 in CI.
  'node_modules/cookie@20': 'declares >=22; the suite passes on Node 20 (end of life: use 22 or 24)',
};

type Version = [number, number, number];
const parse = (text: string): Version => {
  const [major = 0, minor = 0, patch = 0] = text.split('.').map(Number);
  return [major, minor, patch];
};
const compare = (a: Version, b: Version) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** npm's range syntax as package engines use it: `||`, `>=`, `>`, `<=`, `<`, `=`, `N.x`, `*`. */
function satisfies(version: string, range: string): boolean {
  const v = parse(version);
  return range.split('||').some((alternative) =>
    alternative
      .trim()
      .replace(/([<>=]+)\s+/g, '$1')
      .split(/\s+/)
      .every((comparator) => {
        if (comparator === '' || comparator === '*') return true;
        const [, op = '', text = ''] = /^([<>]=?|=)?(.*)$/.exec(comparator) ?? [];
        const parts = text.split('.');
        const wildcard = parts.findIndex((part) => part === 'x' || part === '*');
        if (wildcard !== -1 && op === '') return parts.slice(0, wildcard).every((part, i) => Number(part) === v[i]);
        const order = compare(v, parse(text.replace(/[x*]/g, '0')));
        return { '>=': order >= 0, '>': order > 0, '<=': order <= 0, '<': order < 0, '=': order === 0, '': order === 0 }[op] ?? false;
      }),
  );
}

/** Issue 6 defect 14: engines, the lock, CI and the dependencies agree on the Node.js versions. */
describe('supported Node.js versions', () => {
  it('are the same in package.json and package-lock.json', () => {
    expect(lock.packages['']?.engines?.node).toBe(pkg.engines.node);
  });

  it('are 20.19+ and 22.12+ (24 included), not the odd, untested 21', () => {
    for (const version of ['20.19.0', '20.20.2', '22.12.0', '22.23.3', '24.0.0', '24.21.0']) expect({ version, ok: satisfies(version, pkg.engines.node) }).toEqual({ version, ok: true });
    for (const version of ['18.20.0', '20.18.3', '21.7.3', '22.11.0']) expect({ version, ok: satisfies(version, pkg.engines.node) }).toEqual({ version, ok: false });
  });

  it('include the machine running the suite and every line CI tests', () => {
    expect(satisfies(process.versions.node, pkg.engines.node)).toBe(true);
    const lines = [...ci.matchAll(/^for major in ([\d ]+); do/gm)].flatMap((match) => match[1]?.trim().split(/\s+/) ?? []);
    expect(lines).toEqual(['22', '24']);
    for (const major of lines) expect(satisfies(`${major}.99.0`, pkg.engines.node)).toBe(true);
  });

  it('are allowed by every runtime dependency, but the accepted exceptions', () => {
    const refused: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      const range = entry.engines?.node;
      if (path === '' || entry.dev || range === undefined) continue;
      for (const floor of FLOORS) {
        const key = `${path}@${floor.split('.')[0]}`;
        if (!satisfies(floor, range) && !(key in ACCEPTED)) refused.push(`${path} ${entry.version ?? ''} (${range}) refuses Node ${floor}`);
      }
    }
    expect(refused).toEqual([]);
  });
});
