// Compares two NDJSON result files as ordered row lists (the query sorts by
// @timestamp desc). Rows with equal @timestamp may come in any order, and at
// the cut-off timestamp of a limited result either side may keep different
// rows of that timestamp: both are allowed. Exit 0 when the results agree.
import { readFileSync } from 'node:fs';

const load = (f) => readFileSync(f, 'utf8').split('\n').filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l))
  .map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== null && v !== '')));
const key = (r) => JSON.stringify(Object.keys(r).sort().map((k) => [k, String(r[k])]));

const [a, b] = [load(process.argv[2]), load(process.argv[3])];
if (a.length !== b.length) {
  console.error(`row counts differ: ${a.length} vs ${b.length}`);
  process.exit(1);
}
const cut = a.length ? Math.min(...a.map((r) => r['@timestamp'])) : 0;
const groups = (rows) => {
  const m = new Map();
  for (const r of rows) {
    const t = r['@timestamp'];
    if (t === cut) continue; // boundary ties may legitimately differ
    if (!m.has(t)) m.set(t, []);
    m.get(t).push(key(r));
  }
  for (const v of m.values()) v.sort();
  return m;
};
const [ga, gb] = [groups(a), groups(b)];
let bad = 0;
for (const [t, rows] of ga) {
  if (JSON.stringify(rows) !== JSON.stringify(gb.get(t) ?? [])) {
    if (bad++ < 3) console.error(`rows differ at @timestamp ${t}:\n  ${rows.join('\n  ')}\nvs\n  ${(gb.get(t) ?? []).join('\n  ')}`);
  }
}
for (let i = 1; i < a.length; i++) {
  if (a[i - 1]['@timestamp'] < a[i]['@timestamp']) { console.error('first file is not sorted by @timestamp desc'); process.exit(1); }
}
if (bad) { console.error(`${bad} timestamps differ`); process.exit(1); }
console.log(`same rows: ${a.length}`);
