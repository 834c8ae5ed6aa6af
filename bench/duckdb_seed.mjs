// Runs the SQL equivalent of the T1590.005 seed query in DuckDB and prints
// the result rows as NDJSON (same shape as `tiercel search --format json`).
// Usage: node duckdb_seed.mjs FILE THREADS COMPRESSION(uncompressed|gzip|zstd) [FORMAT]
// FORMAT is read_json's: newline_delimited (the default), array (a JSON
// array of events), unstructured (pretty-printed objects one after another).
import { DuckDBInstance } from '@duckdb/node-api';

const [file, threads, compression, format = 'newline_delimited'] = process.argv.slice(2);
const tools = 'nmap|masscan|zmap|theharvester|amass|subfinder|spiderfoot|recon-ng';
const image = `(?i)(${tools})((\\.exe)?)$`;
const cmd = '(?i)(shodan\\s+search|censys\\s+search|nmap\\s+-s[nSp]|masscan\\s+--rate|zmap\\s+-p|theharvester\\s+-d|amass\\s+enum|subfinder\\s+-d|spiderfoot\\s+-s)';
const domains = '(?i)(shodan\\.io|censys\\.io|ipinfo\\.io|ipapi\\.co|ip-api\\.com|ipwhois\\.io|bgp\\.he\\.net|arin\\.net|ripe\\.net|apnic\\.net|lacnic\\.net|afrinic\\.net|spyse\\.com|fofa\\.info|zoomeye\\.org|dnsdumpster\\.com|hackertarget\\.com|viewdns\\.info|ipvoid\\.com|whatismyipaddress\\.com|ip2location\\.com|maxmind\\.com|greynoise\\.io|binaryedge\\.io|onyphe\\.io)';
const ctx = '(?i)(nmap|masscan|zmap|curl|wget|python[23]?|powershell)';
const q = (s) => "'" + s.replaceAll("'", "''") + "'";

const cols = ['event_simpleName', 'ComputerName', 'UserName', 'ImageFileName', 'CommandLine',
  'DomainName', 'RemoteAddressIP4', 'RemotePort', 'ContextProcessName', 'timestamp', 'ContextTimeStamp'];
const colSpec = '{' + cols.map((c) => `"${c}": 'VARCHAR'`).join(', ') + '}';

const sql = `
SELECT event_simpleName AS "#event_simpleName", ComputerName, UserName, ImageFileName, CommandLine,
       DomainName, RemoteAddressIP4, RemotePort, ContextProcessName, branch AS DetectionBranch,
       ts AS "@timestamp"
FROM (
  SELECT *,
    COALESCE(TRY_CAST("timestamp" AS BIGINT), CAST(TRY_CAST(ContextTimeStamp AS DOUBLE) * 1000 AS BIGINT)) AS ts,
    CASE
      WHEN event_simpleName = 'ProcessRollup2'
           AND (regexp_matches(ImageFileName, ${q(image)}) OR regexp_matches(CommandLine, ${q(cmd)}))
        THEN 'OSINTToolExecution'
      WHEN event_simpleName = 'DnsRequest' AND regexp_matches(DomainName, ${q(domains)})
        THEN 'IPIntelDNSLookup'
      WHEN event_simpleName = 'NetworkConnectIP4' AND RemotePort IN ('80', '443')
           AND regexp_matches(ContextProcessName, ${q(ctx)})
        THEN 'OSINTNetworkConnect'
    END AS branch
  FROM read_json(${q(file)}, format = ${q(format)}, compression = ${q(compression)},
                 columns = ${colSpec}, ignore_errors = true)
  WHERE event_simpleName IN ('ProcessRollup2', 'DnsRequest', 'NetworkConnectIP4')
)
WHERE branch IS NOT NULL
ORDER BY ts DESC
LIMIT 200`;

const inst = await DuckDBInstance.create(':memory:', { threads: String(threads) });
const con = await inst.connect();
const reader = await con.runAndReadAll(sql);
for (const row of reader.getRowObjects()) {
  const out = {};
  for (const [k, v] of Object.entries(row)) {
    if (v === null || v === '') continue;
    out[k] = k === '@timestamp' ? Number(v) : String(v);
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}
