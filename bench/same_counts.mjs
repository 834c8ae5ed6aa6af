// Checks tiercel hunt alerts (NDJSON, one per alert) against DuckDB's
// per-rule counts (one row, a column per generated rule): every GEN- rule
// must have the same number of alerts. Exit 0 when they agree.
// Usage: node same_counts.mjs HUNT.json DUCKDB.json
import { readFileSync } from 'node:fs';

const [hunt, duck] = process.argv.slice(2);
const got = {};
for (const line of readFileSync(hunt, 'utf8').split('\n')) {
  if (!line) continue;
  const rule = JSON.parse(line).rule;
  if (rule.startsWith('GEN-')) got[rule] = (got[rule] || 0) + 1;
}
const want = JSON.parse(readFileSync(duck, 'utf8').split('\n')[0]);
const bad = Object.keys(want).filter((k) => (want[k] || 0) !== (got[k] || 0));
if (bad.length) {
  console.error('per-rule counts differ from DuckDB:', bad.slice(0, 5).map((k) => `${k} ${got[k] || 0} vs ${want[k]}`).join(', '));
  process.exit(1);
}
const total = Object.values(want).reduce((a, b) => a + b, 0);
console.error(`per-rule alert counts agree with DuckDB (${total} alerts, ${Object.keys(want).length} rules)`);
