package validate

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteSensorsJSON writes the sensor report as one JSON object.
func WriteSensorsJSON(w io.Writer, r *SensorReport) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Seed    int64         `json:"seed"`
		Events  int64         `json:"events"`
		Rule    string        `json:"rule"`
		Runs    []SensorRun   `json:"sensors"`
		Tests   []SensorTest  `json:"tests"`
		Signals []SignalCheck `json:"expected_signals"`
	}{r.Seed, r.Events, r.Rule, r.Runs, r.Tests, r.Signals})
}

// WriteSensorsText prints the detection matrix, the per-sensor alert
// counts and, for each of the seed's expected-signal sentences, the events
// carrying it per sensor and whether the rule fired on them.
func WriteSensorsText(w io.Writer, r *SensorReport) {
	var names []string
	for _, run := range r.Runs {
		names = append(names, run.Sensor)
	}
	fmt.Fprintf(w, "Rule %s over %d emulated events (seed %d), as each sensor records them\n\n", r.Rule, r.Events, r.Seed)
	fmt.Fprintf(w, "Detection matrix (branches the rule fired on; - none; n/a platform not covered)\n")
	fmt.Fprintf(w, "%-4s %-8s %-44s", "test", "platform", "name")
	for _, n := range names {
		fmt.Fprintf(w, " %-22s", n)
	}
	fmt.Fprintln(w)
	for _, t := range r.Tests {
		fmt.Fprintf(w, "%-4d %-8s %-44s", t.Test, t.Platform, t.Name)
		for _, n := range names {
			v := t.Fired[n]
			if v == "" {
				v = "-"
			}
			fmt.Fprintf(w, " %-22s", abbreviate(v))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "\n%-9s %-9s %9s %8s %8s %7s %7s %8s\n", "sensor", "format", "records", "events", "skipped", "alerts", "attack", "other")
	for _, run := range r.Runs {
		fmt.Fprintf(w, "%-9s %-9s %9d %8d %8d %7d %7d %8d", run.Sensor, run.Format, run.Records, run.Events, run.Skipped, run.Alerts, run.Attack, run.FalsePos)
		if run.Sensor != "falcon" {
			fmt.Fprintf(w, "  (%d beyond the Falcon run)", len(run.Extra))
		}
		fmt.Fprintln(w)
		for _, e := range run.Extra {
			fmt.Fprintf(w, "          extra: %s\n", e)
		}
	}
	fmt.Fprintf(w, "\nExpected signals (seed \"Testing Methodology\")\n")
	test := 0
	for _, s := range r.Signals {
		if s.Test != test {
			test = s.Test
			fmt.Fprintf(w, "\nTest %d\n", test)
		}
		fmt.Fprintf(w, "  %q\n", s.Sentence)
		for _, ss := range s.Sensors {
			switch {
			case ss.Query == "":
				fmt.Fprintf(w, "    %-9s %-4s not recorded: %s\n", ss.Sensor, ss.Platform, ss.Note)
			case !ss.Visible:
				fmt.Fprintf(w, "    %-9s %-4s %d event(s), rule fired on %d; no Falcon-model rule can see the signal itself (%s)\n", ss.Sensor, ss.Platform, ss.Events, ss.Fired, ss.Note)
				fmt.Fprintf(w, "              extra query: %s\n", strings.Replace(ss.Query, " HOST", "", 1))
			default:
				fmt.Fprintf(w, "    %-9s %-4s %d event(s), rule fired on %d", ss.Sensor, ss.Platform, ss.Events, ss.Fired)
				if ss.Note != "" {
					fmt.Fprintf(w, " (%s)", ss.Note)
				}
				fmt.Fprintln(w)
			}
		}
	}
}

func abbreviate(branches string) string {
	r := strings.NewReplacer("OSINTToolExecution", "Tool", "IPIntelDNSLookup", "DNS", "OSINTNetworkConnect", "Net")
	return r.Replace(branches)
}
