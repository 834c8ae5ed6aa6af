package sigma

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tiercel/tiercel/internal/rules"
)

const corrBase = `title: Whoami run
id: 11111111-1111-4111-8111-111111111111
name: whoami_run
logsource: {category: process_creation, product: windows}
detection:
    selection:
        Image|endswith: '\whoami.exe'
    condition: selection
---
title: Net user run
name: net_user_run
logsource: {category: process_creation, product: windows}
detection:
    selection:
        CommandLine|contains: 'net user'
    condition: selection
---
`

func pr2(id string, ts int, host, user, image, cmd string) string {
	return fmt.Sprintf(`{"event_simpleName":"ProcessRollup2","event_platform":"Win","id":%q,"aid":"a1","timestamp":"%d","ComputerName":%q,"UserName":%q,"ImageFileName":%q,"CommandLine":%q}`,
		id, 1767225600000+ts*1000, host, user, `\Device\HarddiskVolume3\Windows\System32\`+image, cmd)
}

func TestCorrelations(t *testing.T) {
	events := strings.Join([]string{
		pr2("w1", 0, "H1", "alice", "whoami.exe", "whoami"),
		pr2("w2", 10, "H1", "bob", "whoami.exe", "whoami /all"),
		pr2("w3", 20, "H1", "carol", "WHOAMI.EXE", "whoami"),
		pr2("w4", 30, "H2", "alice", "whoami.exe", "whoami"),
		pr2("n1", 40, "H1", "alice", "net.exe", "net user /domain"),
		pr2("n2", 50, "H2", "dave", "net.exe", "NET USER x"),
		pr2("n3", 400, "H2", "alice", "net.exe", "net user"),
	}, "\n")
	tests := []struct {
		name, corr string
		wantCQL    string
		want       []string // alert rows: group fields and _count
	}{
		{"event_count", `correlation: {type: event_count, rules: [whoami_run], group-by: [Computer], timespan: 5m, condition: {gte: 3}}`,
			"groupBy([_window, ComputerName], function=count(as=_count), limit=max)", []string{"ComputerName=H1 _count=3"}},
		{"value_count", `correlation: {type: value_count, rules: [whoami_run, net_user_run], group-by: [Computer], timespan: 1h, condition: {field: User, gt: 2}}`,
			"count(UserName, distinct=true, as=_count)", []string{"ComputerName=H1 _count=3"}},
		{"temporal", `correlation: {type: temporal, rules: [net_user_run, whoami_run], group-by: [Computer, User], timespan: 2m}`,
			"within=2m, sequence=false", []string{"r1.id=n1 r2.id=w1"}},
		{"temporal_ordered", `correlation: {type: temporal_ordered, rules: [net_user_run, whoami_run], group-by: [Computer], timespan: 10m}`,
			"sequence=true", nil},
		{"temporal_ordered other order", `correlation: {type: temporal_ordered, rules: [whoami_run, net_user_run], group-by: [Computer, User], timespan: 10m}`,
			"sequence=true", []string{"r1.id=w1 r2.id=n1", "r1.id=w4 r2.id=n3"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := corrBase + "title: Correlated\nlevel: high\nauthor: tester\n" + tc.corr + "\n"
			src = strings.Replace(src, "name: whoami_run\n", "name: whoami_run\nauthor: Whoami Author\n", 1)
			rs, err := Parse("corr.yml", []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			set, errs := NewConverter().ConvertSet([]*Source{{Path: "corr.yml", Rules: rs}})
			if len(errs) > 0 {
				t.Fatalf("ConvertSet: %v", errs)
			}
			cv := set[len(set)-1]
			for _, other := range set[:len(set)-1] {
				if other.Rule.Correlation != nil || slices.Contains(cv.Rule.Correlation.Rules, other.Rule.Name) {
					t.Errorf("%s is emitted on its own, though the correlation names it", other.ID)
				}
			}
			if !strings.Contains(cv.CQL, tc.wantCQL) {
				t.Errorf("CQL lacks %q:\n%s", tc.wantCQL, cv.CQL)
			}
			compileCQL(t, cv.CQL)
			if cv.Rule.Author != "tester; Whoami Author" {
				t.Errorf("author %q, want the correlation's and the base rule's", cv.Rule.Author)
			}
			r := ToRule(cv.ID, cv.Rule, cv.CQL, cv.EventTypes)
			prog, err := rules.Compile(r, nil, engineOpts())
			if err != nil {
				t.Fatal(err)
			}
			rows := runEvents(t, prog, events)
			var got []string
			for _, row := range rows {
				got = append(got, summarize(row, tc.want))
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("alerts:\n%s\nwant:\n%s\nquery:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"), cv.CQL)
			}
		})
	}
}

func TestCorrelationErrors(t *testing.T) {
	for _, c := range []struct{ corr, want string }{
		{`correlation: {type: event_count, rules: [nope], group-by: [Computer], timespan: 5m, condition: {gte: 3}}`, `names rule "nope", which is not in the set`},
		{`correlation: {type: event_count, rules: [whoami_run], group-by: [Computer], timespan: 5x, condition: {gte: 3}}`, "unit must be s, m, h or d"},
		{`correlation: {type: value_count, rules: [whoami_run], group-by: [Computer], timespan: 5m, condition: {gte: 3}}`, "needs condition.field"},
		{`correlation: {type: event_count, rules: [whoami_run], group-by: [Hashes], timespan: 5m, condition: {gte: 3}}`, "group-by field Hashes has no Falcon equivalent"},
		{`correlation: {type: value_sum, rules: [whoami_run], group-by: [Computer], timespan: 5m, condition: {gte: 3}}`, `type "value_sum" is not supported`},
	} {
		src := corrBase + "title: Correlated\n" + c.corr + "\n"
		rs, err := Parse("corr.yml", []byte(src))
		var errs []error
		if err != nil {
			errs = []error{err}
		} else {
			_, errs = NewConverter().ConvertSet([]*Source{{Path: "corr.yml", Rules: rs}})
		}
		if len(errs) != 1 || !strings.Contains(errs[0].Error(), c.want) || !strings.Contains(errs[0].Error(), "corr.yml:") {
			t.Errorf("%s: errors %v, want one containing %q", c.corr, errs, c.want)
		}
	}
}

func TestFilterDocuments(t *testing.T) {
	filter := `title: Admin accounts run whoami
logsource: {category: process_creation, product: windows}
filter:
    rules: [whoami_run]
    selection:
        User|startswith: 'adm_'
    condition: selection
`
	rs, err := Parse("rules.yml", []byte(corrBase))
	if err != nil {
		t.Fatal(err)
	}
	fs, err := Parse("mf_admins.yml", []byte(filter))
	if err != nil {
		t.Fatal(err)
	}
	set, errs := NewConverter().ConvertSet([]*Source{{Path: "rules.yml", Rules: rs}, {Path: "mf_admins.yml", Rules: fs}})
	if len(errs) > 0 || len(set) != 2 {
		t.Fatalf("%d converted (want the two rules, not the filter), errors %v", len(set), errs)
	}
	cv := set[0]
	if !strings.Contains(cv.CQL, "| not UserName=/^adm_/i") {
		t.Errorf("filter not applied:\n%s", cv.CQL)
	}
	prog, err := rules.Compile(ToRule(cv.ID, cv.Rule, cv.CQL, cv.EventTypes), nil, engineOpts())
	if err != nil {
		t.Fatal(err)
	}
	events := pr2("w1", 0, "H1", "ADM_bob", "whoami.exe", "whoami") + "\n" + pr2("w2", 1, "H1", "bob", "whoami.exe", "whoami")
	var got []string
	for _, row := range runEvents(t, prog, events) {
		id, _ := row.Get("id")
		got = append(got, id)
	}
	if strings.Join(got, ",") != "w2" {
		t.Errorf("alerts %v, want only w2 (w1 is an admin account)", got)
	}
	bad := strings.Replace(filter, "User|startswith", "CurrentDirectory|contains", 1)
	fs, _ = Parse("mf_admins.yml", []byte(bad))
	_, errs = NewConverter().ConvertSet([]*Source{{Path: "rules.yml", Rules: rs}, {Path: "mf_admins.yml", Rules: fs}})
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "mf_admins.yml:6:9: rule \"Admin accounts run whoami\": field CurrentDirectory") {
		t.Errorf("errors %v", errs)
	}
}

func TestSameFileNameInTwoDirectories(t *testing.T) {
	a, _ := Parse("a/proc_creation_x.yml", []byte(corrBase))
	b, _ := Parse("b/proc_creation_x.yml", []byte(corrBase))
	set, errs := NewConverter().ConvertSet([]*Source{{Path: "a", Rules: a[:1]}, {Path: "b", Rules: b[:1]}})
	if len(errs) > 0 || len(set) != 2 || set[0].ID != "sigma-proc_creation_x" || set[1].ID != "sigma-proc_creation_x~2" {
		var ids []string
		for _, cv := range set {
			ids = append(ids, cv.ID)
		}
		t.Errorf("ids %v, errors %v", ids, errs)
	}
}
