// kusto-check.js: parse and analyze KQL queries with Microsoft's Kusto
// language service (npm @kusto/language-service-next) against a schema, and
// print every diagnostic as JSON. Used by export's tests:
//   node kusto-check.js MODULE_DIR < {"tables": {"T": "(c:string, ...)"}, "queries": ["..."]}
'use strict';
const path = require('path');
const fs = require('fs');

const dir = process.argv[2];
require(path.join(dir, 'bridge.js'));
require(path.join(dir, 'Kusto.Language.Bridge.js'));
const K = global.Kusto.Language;

const input = JSON.parse(fs.readFileSync(0, 'utf8'));
const tables = Object.entries(input.tables).map(([name, schema]) =>
  new K.Symbols.TableSymbol.$ctor7(name, schema, null));
const db = new K.Symbols.DatabaseSymbol.$ctor1('hunting', tables, false);
const globals = K.GlobalState.Default.WithDatabase(db);

const out = input.queries.map((q) => {
  const code = K.KustoCode.ParseAndAnalyze(q, globals);
  const diags = [];
  const list = code.GetDiagnostics();
  const n = list.Count;
  for (let i = 0; i < n; i++) {
    const d = list.getItem(i);
    diags.push({ severity: d.Severity, code: d.Code, message: d.Message, start: d.Start, length: d.Length });
  }
  return diags;
});
process.stdout.write(JSON.stringify(out));
