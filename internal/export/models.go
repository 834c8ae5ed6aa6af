package export

import (
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/tiercel/tiercel/internal/sigma/mapping"
)

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

// The Falcon → Sigma field table is the Sigma importer's table
// (internal/sigma/mapping/falcon.yaml) read backwards, so both directions
// agree. Where several Sigma names map to one Falcon field (Computer,
// ComputerName, Hostname), the Sysmon name listed first here wins.
var sigmaPreferred = []string{"Image", "CommandLine", "ParentImage", "User", "Computer", "QueryName",
	"DestinationIp", "DestinationPort", "SourceIp", "SourcePort", "ImageLoaded", "TargetFilename", "ProcessId"}

// falconAliases are Falcon fields that hold the same value as a mapped one:
// tiercel's enrichment copies ContextBaseFileName into ContextProcessName.
var falconAliases = map[string]string{"ContextBaseFileName": "ContextProcessName"}

var sigmaMapping = sync.OnceValue(mapping.Default) // parsed on first use, not at every start

func sigmaFieldFor(category, falcon string) (sigmaField, bool) {
	ls := sigmaMapping().Lookup(category, "")
	if ls == nil {
		return sigmaField{}, false
	}
	if a, ok := falconAliases[falcon]; ok {
		falcon = a
	}
	var names []string
	fields := map[string]*mapping.Field{}
	for _, table := range []map[string]*mapping.Field{sigmaMapping().Common, ls.Fields} {
		for name, f := range table {
			// Only plain renames reverse exactly: coded values, event-type
			// pickers, joined lists and hash strings do not.
			if f.Field != falcon || f.Unsupported != "" || f.Values != nil || f.EventTypes != nil || f.Contains || f.Hashes != nil {
				continue
			}
			fields[name] = f
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return sigmaField{}, false
	}
	slices.SortFunc(names, func(a, b string) int {
		ia, ib := slices.Index(sigmaPreferred, a), slices.Index(sigmaPreferred, b)
		if ia < 0 {
			ia = len(sigmaPreferred)
		}
		if ib < 0 {
			ib = len(sigmaPreferred)
		}
		if ia != ib {
			return ia - ib
		}
		return strings.Compare(a, b)
	})
	f := fields[names[0]]
	sf := sigmaField{Category: category, Falcon: falcon, Sigma: names[0]}
	switch {
	case f.Basename:
		sf.Kind = valueBaseName
	case f.DevicePath:
		sf.Kind = valueDevicePath
	}
	return sf, true
}

// mappedAnywhere reports whether some category maps the Falcon field.
func mappedAnywhere(falcon string) bool {
	for _, ls := range sigmaMapping().Logsources {
		if _, ok := sigmaFieldFor(ls.Category, falcon); ok {
			return true
		}
	}
	return false
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

// kqlPlatforms selects devices by Falcon's event_platform: Defender's
// event tables have no OS column, so a leg joins DeviceInfo on DeviceId.
var kqlPlatforms = map[string]string{
	"Win": `OSPlatform startswith "Windows"`,
	"Lin": `OSPlatform == "Linux"`,
	"Mac": `OSPlatform == "macOS"`,
}

// kqlColumn is where a Falcon field lives in one table. Expr, when set, is
// computed into Column with extend before use.
type kqlColumn struct {
	Column string
	Expr   string
	Type   string // string (default), int, long
}

// kqlActing are the columns of the process acting on a row and of its host,
// the same on every table whose rows an initiating process makes.
var kqlActing = map[string]kqlColumn{
	"ContextProcessName":   {Column: "InitiatingProcessFileName"},
	"ContextBaseFileName":  {Column: "InitiatingProcessFileName"},
	"ContextCommandLine":   {Column: "InitiatingProcessCommandLine"},
	"ContextImageFileName": {Column: "InitiatingProcessFolderPath"},
	"UserName":             {Column: "InitiatingProcessAccountName"},
	"ComputerName":         {Column: "DeviceName"},
	"@timestamp":           {Column: "Timestamp"},
}

// kqlWithActing is a table's own columns and kqlActing's.
func kqlWithActing(own map[string]kqlColumn) map[string]kqlColumn {
	maps.Copy(own, kqlActing)
	return own
}

var kqlColumns = map[string]map[string]kqlColumn{
	"DeviceProcessEvents": {
		"ImageFileName":      {Column: "FolderPath"},
		"CommandLine":        {Column: "ProcessCommandLine"},
		"ParentBaseFileName": {Column: "InitiatingProcessFileName"},
		"UserName":           {Column: "AccountName"},
		"ComputerName":       {Column: "DeviceName"},
		"SHA256HashData":     {Column: "SHA256"},
		"MD5HashData":        {Column: "MD5"},
		"OriginalFilename":   {Column: "ProcessVersionInfoOriginalFileName"},
		// the process that started this one is the row's initiating process
		"ParentImageFileName": {Column: "InitiatingProcessFolderPath"},
		"ParentCommandLine":   {Column: "InitiatingProcessCommandLine"},
		"RawProcessId":        {Column: "ProcessId", Type: "long"},
		"@timestamp":          {Column: "Timestamp"},
	},
	"DeviceEvents": kqlWithActing(map[string]kqlColumn{
		"DomainName": {Column: "DnsQueryString", Expr: "tostring(parse_json(AdditionalFields).DnsQueryString)"},
	}),
	"DeviceNetworkEvents": kqlWithActing(map[string]kqlColumn{
		"RemoteAddressIP4": {Column: "RemoteIP"},
		"RemotePort":       {Column: "RemotePort", Type: "int"},
		"LocalAddressIP4":  {Column: "LocalIP"},
		"LocalPort":        {Column: "LocalPort", Type: "int"},
	}),
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
	"MD5HashData":         "MD5",
	"OriginalFilename":    "ProcessVersionInfoOriginalFileName",
	// a process row's initiating process is its parent, another's is the
	// acting process: the parent's columns are named apart
	"ParentImageFileName":  "ParentFolderPath",
	"ParentCommandLine":    "ParentCommandLine",
	"ContextImageFileName": "InitiatingProcessFolderPath",
	"RawProcessId":         "ProcessId",
	"@timestamp":           "Timestamp",
}

// ---------------------------------------------------------------------------
// Elastic: ECS as the CrowdStrike integration's fdr data stream maps it
// (packages/crowdstrike/data_stream/fdr/elasticsearch/ingest_pipeline). Fields
// the pipeline does not rename stay under crowdstrike.<Name>.

const esqlIndex = "logs-crowdstrike.fdr-*"

type esqlField struct {
	Field  string
	Type   string            // keyword (default), long, ip
	Values map[string]string // Falcon value → the integration's value; nil: same
}

var esqlFields = map[string]esqlField{
	"#event_simpleName": {Field: "event.action"},
	// The pipeline sets host.os.type from event_platform and drops the field.
	"event_platform":     {Field: "host.os.type", Values: map[string]string{"Win": "windows", "Lin": "linux", "Mac": "macos"}},
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

// fieldNotes are caveats of a target's data model for one Falcon field,
// printed as a warning when an export reads the field.
var fieldNotes = map[string]map[string]string{
	"spl": {
		"ContextProcessName": "ContextProcessName is read as ContextBaseFileName, which Falcon sends only from newer sensors; older events carry just ContextProcessId (join ProcessRollup2 on aid and TargetProcessId to name the process)",
		"ComputerName":       "ComputerName is on raw sensor events only from newer sensors; for older events it is in the aidmaster inventory (sourcetype crowdstrike:inventory:aidmaster), joined on aid",
	},
	"kql": {
		"DomainName": "the DNS name is read from AdditionalFields.DnsQueryString of DeviceEvents DnsQueryResponse rows, the key community queries use; check it in your tenant",
	},
	"esql": {
		"ContextProcessName": "ContextProcessName is read as crowdstrike.ContextBaseFileName, which Falcon sends only from newer sensors; the integration does not name the acting process of older events",
	},
}

func noteField(target, falcon string, warn func(string, ...any)) {
	if n := fieldNotes[target][falcon]; n != "" {
		warn("%s", n)
	}
}
