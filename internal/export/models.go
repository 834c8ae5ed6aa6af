package export

// The per-platform data models: which table, category or filter holds each
// Falcon event type, and which column or field holds each Falcon field.
// docs/export.md prints these tables; keep the two in step.

// pathKind says how a field's value names a file.
type pathKind int

const (
	valuePlain      pathKind = iota
	valueDevicePath          // Falcon full path \Device\HarddiskVolumeN\... where the target has C:\...
	valueBaseName            // file name only, where the target field holds a full path
)

// ---------------------------------------------------------------------------
// Sigma (spec v2, Sysmon taxonomy)

type sigmaSource struct {
	Category  string
	Initiated string // network_connection: 'true' outbound, 'false' inbound
}

var sigmaSources = map[string]sigmaSource{
	"ProcessRollup2":          {Category: "process_creation"},
	"SyntheticProcessRollup2": {Category: "process_creation"},
	"DnsRequest":              {Category: "dns_query"},
	"NetworkConnectIP4":       {Category: "network_connection", Initiated: "true"},
	"NetworkReceiveAcceptIP4": {Category: "network_connection", Initiated: "false"},
	"ClassifiedModuleLoad":    {Category: "image_load"},
	"DriverLoad":              {Category: "driver_load"},
}

type sigmaField struct {
	Category string
	Falcon   string
	Sigma    string
	Kind     pathKind // how the Falcon value relates to the Sigma field's value
}

var sigmaFields = []sigmaField{
	{"process_creation", "ImageFileName", "Image", valueDevicePath},
	{"process_creation", "CommandLine", "CommandLine", valuePlain},
	{"process_creation", "ParentBaseFileName", "ParentImage", valueBaseName},
	{"process_creation", "UserName", "User", valuePlain},
	{"process_creation", "ComputerName", "Computer", valuePlain},
	{"process_creation", "RawProcessId", "ProcessId", valuePlain},
	{"process_creation", "OriginalFilename", "OriginalFileName", valuePlain},
	{"process_creation", "IntegrityLevel", "IntegrityLevel", valuePlain},
	{"dns_query", "DomainName", "QueryName", valuePlain},
	{"dns_query", "ContextProcessName", "Image", valueBaseName},
	{"dns_query", "ContextBaseFileName", "Image", valueBaseName},
	{"dns_query", "UserName", "User", valuePlain},
	{"dns_query", "ComputerName", "Computer", valuePlain},
	{"network_connection", "RemoteAddressIP4", "DestinationIp", valuePlain},
	{"network_connection", "RemotePort", "DestinationPort", valuePlain},
	{"network_connection", "LocalAddressIP4", "SourceIp", valuePlain},
	{"network_connection", "LocalPort", "SourcePort", valuePlain},
	{"network_connection", "ContextProcessName", "Image", valueBaseName},
	{"network_connection", "ContextBaseFileName", "Image", valueBaseName},
	{"network_connection", "UserName", "User", valuePlain},
	{"network_connection", "ComputerName", "Computer", valuePlain},
	{"image_load", "ImageFileName", "ImageLoaded", valueDevicePath},
	{"image_load", "TargetImageFileName", "Image", valueDevicePath},
	{"image_load", "ComputerName", "Computer", valuePlain},
}

func sigmaFieldFor(category, falcon string) (sigmaField, bool) {
	for _, f := range sigmaFields {
		if f.Category == category && f.Falcon == falcon {
			return f, true
		}
	}
	return sigmaField{}, false
}

// ---------------------------------------------------------------------------
// Splunk: Falcon data as the CrowdStrike FDR add-on indexes it. The add-on
// keeps Falcon's field names; only these differ.

const splSourcetype = "crowdstrike:events:sensor"

var splFields = map[string]string{
	"#event_simpleName": "event_simpleName",
	"@timestamp":        "_time",
	// tiercel's enrichment names the acting process ContextProcessName; raw
	// Falcon events carry it as ContextBaseFileName (newer sensors).
	"ContextProcessName": "ContextBaseFileName",
}

// ---------------------------------------------------------------------------
// Microsoft Defender XDR / Sentinel advanced hunting

type kqlTable struct {
	Table string
	Where string // KQL predicate selecting the event type in that table
}

var kqlTables = map[string]kqlTable{
	"ProcessRollup2":          {Table: "DeviceProcessEvents"},
	"SyntheticProcessRollup2": {Table: "DeviceProcessEvents"},
	"DnsRequest":              {Table: "DeviceEvents", Where: `ActionType == "DnsQueryResponse"`},
	"NetworkConnectIP4":       {Table: "DeviceNetworkEvents", Where: `ActionType in ("ConnectionSuccess", "ConnectionAttempt", "ConnectionFailed")`},
	"NetworkReceiveAcceptIP4": {Table: "DeviceNetworkEvents", Where: `ActionType == "InboundConnectionAccepted"`},
}

// kqlColumn is where a Falcon field lives in one table. Expr, when set, is
// computed into Column with extend before use.
type kqlColumn struct {
	Column string
	Expr   string
	Type   string // string (default), int, long
}

var kqlColumns = map[string]map[string]kqlColumn{
	"DeviceProcessEvents": {
		"ImageFileName":      {Column: "FolderPath"},
		"CommandLine":        {Column: "ProcessCommandLine"},
		"ParentBaseFileName": {Column: "InitiatingProcessFileName"},
		"UserName":           {Column: "AccountName"},
		"ComputerName":       {Column: "DeviceName"},
		"SHA256HashData":     {Column: "SHA256"},
		"RawProcessId":       {Column: "ProcessId", Type: "long"},
		"@timestamp":         {Column: "Timestamp"},
	},
	"DeviceEvents": {
		"DomainName":          {Column: "DnsQueryString", Expr: "tostring(parse_json(AdditionalFields).DnsQueryString)"},
		"ContextProcessName":  {Column: "InitiatingProcessFileName"},
		"ContextBaseFileName": {Column: "InitiatingProcessFileName"},
		"ContextCommandLine":  {Column: "InitiatingProcessCommandLine"},
		"UserName":            {Column: "InitiatingProcessAccountName"},
		"ComputerName":        {Column: "DeviceName"},
		"@timestamp":          {Column: "Timestamp"},
	},
	"DeviceNetworkEvents": {
		"RemoteAddressIP4":    {Column: "RemoteIP"},
		"RemotePort":          {Column: "RemotePort", Type: "int"},
		"LocalAddressIP4":     {Column: "LocalIP"},
		"LocalPort":           {Column: "LocalPort", Type: "int"},
		"ContextProcessName":  {Column: "InitiatingProcessFileName"},
		"ContextBaseFileName": {Column: "InitiatingProcessFileName"},
		"ContextCommandLine":  {Column: "InitiatingProcessCommandLine"},
		"UserName":            {Column: "InitiatingProcessAccountName"},
		"ComputerName":        {Column: "DeviceName"},
		"@timestamp":          {Column: "Timestamp"},
	},
}

// kqlOutput names a Falcon field's column in the united result, where the
// tables name it differently (UserName is AccountName on process events and
// InitiatingProcessAccountName on network events).
var kqlOutput = map[string]string{
	"#event_simpleName":   "event_simpleName",
	"ImageFileName":       "FolderPath",
	"CommandLine":         "ProcessCommandLine",
	"ParentBaseFileName":  "ParentFileName",
	"UserName":            "AccountName",
	"ComputerName":        "DeviceName",
	"DomainName":          "DnsQueryString",
	"RemoteAddressIP4":    "RemoteIP",
	"RemotePort":          "RemotePort",
	"LocalAddressIP4":     "LocalIP",
	"LocalPort":           "LocalPort",
	"ContextProcessName":  "InitiatingProcessFileName",
	"ContextBaseFileName": "InitiatingProcessFileName",
	"ContextCommandLine":  "InitiatingProcessCommandLine",
	"SHA256HashData":      "SHA256",
	"RawProcessId":        "ProcessId",
	"@timestamp":          "Timestamp",
}

// ---------------------------------------------------------------------------
// Elastic: ECS as the CrowdStrike integration's fdr data stream maps it
// (packages/crowdstrike/data_stream/fdr/elasticsearch/ingest_pipeline). Fields
// the pipeline does not rename stay under crowdstrike.<Name>.

const esqlIndex = "logs-crowdstrike.fdr-*"

type esqlField struct {
	Field string
	Type  string // keyword (default), long, ip
}

var esqlFields = map[string]esqlField{
	"#event_simpleName":  {Field: "event.action"},
	"@timestamp":         {Field: "@timestamp"},
	"ComputerName":       {Field: "host.name"},
	"UserName":           {Field: "user.name"},
	"ImageFileName":      {Field: "process.executable"},
	"CommandLine":        {Field: "process.command_line"},
	"ParentBaseFileName": {Field: "process.parent.name"},
	"RawProcessId":       {Field: "process.pid", Type: "long"},
	"TargetProcessId":    {Field: "process.entity_id"},
	"DomainName":         {Field: "dns.question.name"},
	"RemoteAddressIP4":   {Field: "destination.ip", Type: "ip"},
	"RemotePort":         {Field: "destination.port", Type: "long"},
	"LocalAddressIP4":    {Field: "source.ip", Type: "ip"},
	"LocalPort":          {Field: "source.port", Type: "long"},
	"aid":                {Field: "observer.serial_number"},
	// tiercel's enrichment; the integration keeps Falcon's own field.
	"ContextProcessName":  {Field: "crowdstrike.ContextBaseFileName"},
	"ContextBaseFileName": {Field: "crowdstrike.ContextBaseFileName"},
}

func esqlFieldFor(falcon string) esqlField {
	if f, ok := esqlFields[falcon]; ok {
		return f
	}
	return esqlField{Field: "crowdstrike." + falcon}
}
