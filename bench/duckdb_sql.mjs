// Runs one SQL query in DuckDB and prints the result rows as NDJSON. The
// query's {{FILE}} stands for the input file (quoted by this script), so
// any query can be timed against any NDJSON file next to tiercel.
// Usage: node duckdb_sql.mjs QUERY.sql FILE THREADS
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const [sqlFile, file, threads] = process.argv.slice(2);
const sql = readFileSync(sqlFile, 'utf8').replaceAll('{{FILE}}', "'" + file.replaceAll("'", "''") + "'");
const inst = await DuckDBInstance.create(':memory:', { threads: String(threads) });
const con = await inst.connect();
const reader = await con.runAndReadAll(sql);
for (const row of reader.getRowObjects()) {
  const out = {};
  for (const [k, v] of Object.entries(row)) {
    if (v === null || v === '') continue;
    out[k] = typeof v === 'bigint' ? Number(v) : String(v);
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}
