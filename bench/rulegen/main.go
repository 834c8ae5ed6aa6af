// Command rulegen writes N generated detection rules of realistic shapes
// (an event-type filter plus field regex alternations, globs and port
// lists, as Sigma-style process, DNS, network, registry and file rules
// are) as tiercel rule packages, and the same conditions as one DuckDB SQL
// query that counts each rule's matches in a single scan (the many-rules
// peer in bench/compare.sh).
//
//	go run ./bench/rulegen -n 1000 -out DIR -sql rules.sql
//	tiercel hunt --rules DIR FILE
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

var words = []string{
	"mimikatz", "sekurlsa", "procdump", "rubeus", "kerberoast", "certutil", "urlcache", "bitsadmin",
	"transfer", "vssadmin", "shadowcopy", "wevtutil", "psexec", "wmic", "shadowstorage", "bcdedit",
	"recoveryenabled", "nltest", "domain_trusts", "adfind", "sharphound", "bloodhound", "lazagne",
	"rclone", "anydesk", "ngrok", "plink", "chisel", "cobaltstrike", "beacon", "meterpreter",
	"invoke-expression", "downloadstring", "frombase64string", "encodedcommand", "hidden", "bypass",
	"regsvr32", "scrobj", "mshta", "rundll32", "comsvcs", "minidump", "schtasks", "onlogon",
	"netsh", "portproxy", "advfirewall", "reg save", "sam.save", "ntdsutil", "ifm", "dcsync",
	"lsass", "pwdump", "gsecdump", "wce", "hashcat", "hydra", "crackmapexec", "impacket",
	"secretsdump", "wmiexec", "smbexec", "dcomexec", "atexec", "kekeo", "safetykatz", "nanodump",
}

var tlds = []string{"top", "xyz", "ru", "cn", "tk", "pw", "cc", "su", "onion.to", "duckdns.org", "ngrok.io"}

type rule struct {
	event string
	cql   string
	sql   string
}

type gen struct{ r *rand.Rand }

// token is a rule literal: a known word, often with a suffix so that rules
// differ and few hit by chance.
func (g *gen) token() string {
	w := words[g.r.IntN(len(words))]
	if g.r.IntN(3) > 0 {
		w += fmt.Sprintf("%c%c%d", 'a'+g.r.IntN(26), 'a'+g.r.IntN(26), g.r.IntN(100))
	}
	return w
}

func (g *gen) alternation(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = g.token()
	}
	return out
}

func reQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, ".", `\.`, "-", `\-`, "$", `\$`, "(", `\(`, ")", `\)`)
	return r.Replace(s)
}

func sqlQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// regex is a case-insensitive alternation on field, in both languages.
func (g *gen) regex(field string, alts []string, prefix, suffix string) (string, string) {
	q := make([]string, len(alts))
	for i, a := range alts {
		q[i] = reQuote(a)
	}
	re := "(?i)" + prefix + "(" + strings.Join(q, "|") + ")" + suffix
	return fmt.Sprintf("%s=/%s/", field, strings.ReplaceAll(re, "/", `\/`)),
		fmt.Sprintf("regexp_matches(%s, %s)", field, sqlQuote(re))
}

func (g *gen) rule() rule {
	switch k := g.r.IntN(100); {
	case k < 50: // process creation
		var c, s []string
		switch g.r.IntN(4) {
		case 0:
			cq, sq := g.regex("ImageFileName", g.alternation(2+g.r.IntN(4)), `\\`, `(\.exe)?$`)
			c, s = append(c, cq), append(s, sq)
		case 1:
			cq, sq := g.regex("CommandLine", g.alternation(2+g.r.IntN(6)), "", "")
			c, s = append(c, cq), append(s, sq)
		case 2:
			t := g.token()
			c = append(c, fmt.Sprintf("CommandLine=*%s*", t))
			s = append(s, fmt.Sprintf("contains(CommandLine, %s)", sqlQuote(t)))
			cq, sq := g.regex("ImageFileName", []string{"powershell", "pwsh", "cmd"}, `\\`, `\.exe$`)
			c, s = append(c, cq), append(s, sq)
		default:
			cq, sq := g.regex("ParentBaseFileName", []string{"winword.exe", "excel.exe", "outlook.exe", "mshta.exe"}, "^", "$")
			c, s = append(c, cq), append(s, sq)
			cq, sq = g.regex("CommandLine", g.alternation(2+g.r.IntN(3)), "", "")
			c, s = append(c, cq), append(s, sq)
		}
		return rule{"ProcessRollup2", "#event_simpleName=ProcessRollup2 " + strings.Join(c, " "), strings.Join(s, " AND ")}
	case k < 65: // DNS
		alts := make([]string, 2+g.r.IntN(5))
		for i := range alts {
			alts[i] = g.token() + "." + tlds[g.r.IntN(len(tlds))]
		}
		cq, sq := g.regex("DomainName", alts, "", "$")
		return rule{"DnsRequest", "#event_simpleName=DnsRequest " + cq, sq}
	case k < 75: // network
		ports := []string{"4444", "1337", "31337", "8081", "9001", "5555", "6666"}
		p1, p2 := ports[g.r.IntN(len(ports))], ports[g.r.IntN(len(ports))]
		cq, sq := g.regex("ContextBaseFileName", g.alternation(1+g.r.IntN(3)), "", "")
		return rule{"NetworkConnectIP4",
			fmt.Sprintf("#event_simpleName=NetworkConnectIP4 in(RemotePort, values=[%s, %s]) %s", p1, p2, cq),
			fmt.Sprintf("RemotePort IN ('%s', '%s') AND %s", p1, p2, sq)}
	case k < 87: // registry
		cq, sq := g.regex("RegObjectName", []string{`\software\microsoft\windows\currentversion\run`, `\services\` + g.token()}, "", "")
		vq, vs := g.regex("RegStringValue", g.alternation(1+g.r.IntN(3)), "", "")
		return rule{"RegGenericValueUpdate", "#event_simpleName=RegGenericValueUpdate " + cq + " " + vq, sq + " AND " + vs}
	default: // files
		ev := []string{"FileOpenInfo", "CriticalFileAccessed", "DirectoryCreate"}[g.r.IntN(3)]
		cq, sq := g.regex("TargetFileName", g.alternation(1+g.r.IntN(4)), `\\`, "")
		return rule{ev, "#event_simpleName=" + ev + " " + cq, sq}
	}
}

const ruleYAML = `id: GEN-%04d
title: Generated benchmark rule %d
description: A generated rule of a realistic shape, for the many-rules benchmark.
attack:
  tactic: {id: TA0002, name: Execution}
  technique: {id: T1059, name: Command and Scripting Interpreter}
  url: https://attack.mitre.org/techniques/T1059/
severity: low
confidence: low
data_sources: [CrowdStrike Falcon Sensor]
required_event_types: [%s]
`

func main() {
	n := flag.Int("n", 1000, "rules to write")
	seed := flag.Uint64("seed", 1, "random seed")
	out := flag.String("out", "", "directory for the rule packages (created)")
	sqlOut := flag.String("sql", "", "also write the DuckDB query counting each rule's matches here")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "rulegen: -out DIR is required")
		os.Exit(2)
	}
	g := &gen{r: rand.New(rand.NewPCG(*seed, 0x7a1e))}
	var counts []string
	cols := map[string]bool{"event_simpleName": true}
	for i := range *n {
		r := g.rule()
		dir := filepath.Join(*out, fmt.Sprintf("gen-%04d", i))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			fail(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "rule.yaml"), fmt.Appendf(nil, ruleYAML, i, i, r.event), 0o644); err != nil {
			fail(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "query.cql"), []byte(r.cql+"\n"), 0o644); err != nil {
			fail(err)
		}
		for _, f := range []string{"ImageFileName", "CommandLine", "ParentBaseFileName", "DomainName", "RemotePort", "ContextBaseFileName", "RegObjectName", "RegStringValue", "TargetFileName"} {
			if strings.Contains(r.sql, f) {
				cols[f] = true
			}
		}
		counts = append(counts, fmt.Sprintf("count(*) FILTER (WHERE event_simpleName = '%s' AND %s) AS \"GEN-%04d\"", r.event, r.sql, i))
	}
	if *sqlOut != "" {
		var spec []string
		for c := range cols {
			spec = append(spec, fmt.Sprintf("\"%s\": 'VARCHAR'", c))
		}
		sql := fmt.Sprintf("SELECT\n  %s\nFROM read_json({{FILE}}, format = 'newline_delimited', columns = {%s}, ignore_errors = true)\n",
			strings.Join(counts, ",\n  "), strings.Join(spec, ", "))
		if err := os.WriteFile(*sqlOut, []byte(sql), 0o644); err != nil {
			fail(err)
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "rulegen:", err)
	os.Exit(1)
}
