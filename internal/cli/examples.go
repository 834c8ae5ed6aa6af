package cli

// The --help examples of each command. examples_test.go runs every one of
// them (and every tiercel command in README.md) on emulated data in a
// scratch directory holding fdr/ (tiercel emulate --fdr), events.ndjson,
// my-detection.cql and lookups/, and checks the exit code: keep them true.

const searchExamples = `  # DNS lookups of shodan.io in an FDR dump, as JSON lines
  tiercel search --format json 'DomainName=/shodan\.io/i' fdr/

  # events per host into a CSV file
  tiercel search --format csv -o counts.csv 'groupBy([ComputerName])' fdr/

  # the query from a file, the events from a pipe
  tiercel emulate --events 2000 | tiercel search --file my-detection.cql -`

const huntExamples = `  # every shipped rule over an FDR dump; alerts on stdout, a summary on stderr
  tiercel hunt fdr/

  # a tuning fed by your lookup files (see lookups init); exit 3 on alerts
  tiercel hunt --tuning soc-analyst-hosts --lookups lookups --fail-on-alert fdr/

  # medium and above, as JSON lines, over an FDR archive in S3
  # (MinIO, Ceph: add --s3-endpoint http://minio:9000 --s3-path-style)
  tiercel hunt --min-severity medium --format json s3://fdr-archive/falcon/`

const checkExamples = `  tiercel check 'DomainName=/shodan\.io/i | count()'

  # machine-readable, the way CI runs it
  tiercel check --json --file my-detection.cql

  # with lookup files: each match() file and column must exist there
  tiercel check --lookups lookups --file my-detection.cql`

const fmtExamples = `  tiercel fmt --file my-detection.cql

  # rewrite tiercel's dialect extensions into LogScale syntax
  tiercel fmt --canonical 'RemotePort in [80, 443] | count()'`

const testExamples = `  # the shipped rules' tests
  tiercel test

  # list passing tests too
  tiercel test -v`

const showExamples = `  tiercel show T1590.005

  # the package as a Markdown document
  tiercel show --format markdown T1590.005-ip-address-recon`

const emulateExamples = `  # 10,000 raw Falcon events as NDJSON
  tiercel emulate --events 10000 > events.ndjson

  # an FDR tree (data/, fdrv2/aidmaster, fdrv2/userinfo, manifest.json)
  tiercel emulate --fdr fdr2/

  # only tests 1 and 3 on Windows, with the ground truth
  tiercel emulate --tests 1,3 --platforms win --manifest truth.json > a.ndjson`

const validateExamples = `  tiercel validate --events 20000

  # the report as JSON
  tiercel validate --events 20000 --format json`

const demoExamples = `  tiercel demo

  # another estate
  tiercel demo --seed 7`

const rulesExamples = `  tiercel rules

  # one JSON object per rule, with tunings and tests
  tiercel rules --format json T1590.005`

const lookupsExamples = `  # the example lookup files, to edit with your own hosts and accounts
  tiercel lookups init ./lookups

  # overwrite them with the shipped versions again
  tiercel lookups init --force ./lookups`

const iocExamples = `  # build the indicator store from a CSV feed, then look events up in it
  tiercel ioc import -o iocs.store indicators.csv

  # search with it
  tiercel search --ioc iocs.store 'ioc:lookup(DomainName, type=domain)' fdr/`

const uiExamples = `  # the demo estate; open the URL printed on the first line
  tiercel ui

  # an FDR dump, with a tuning and its lookups, on a fixed port
  tiercel ui --listen :8080 --tuning soc-analyst-hosts --lookups lookups fdr/`

const serveExamples = `  # HTTP ingest, API and browser UI on localhost, data in ./data
  tiercel serve --data data --ingest-token INGEST --api-token API

  # everything from a config file (sources, actions, retention, Kafka)
  tiercel serve --config serve.yaml

  # one of several instances sharing a Kafka topic (docs/scale-out.md)
  tiercel serve --config serve.yaml --kafka-brokers k1:9092 --kafka-group g1`
