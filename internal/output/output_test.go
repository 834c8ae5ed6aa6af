package output

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/tiercel/tiercel/internal/event"
)

func fd(name, value string) event.Field { return event.Field{Name: name, Value: value} }

// render writes the events through a fresh writer and returns the output.
// The same Event is reused for every row, as the engine does.
func render(t *testing.T, w Writer, buf *bytes.Buffer, rows [][]event.Field) string {
	t.Helper()
	var ev event.Event
	for _, row := range rows {
		ev.Reset()
		for _, f := range row {
			ev.SetBytes(f.Name, []byte(f.Value))
		}
		if err := w.Write(&ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

var sampleRows = [][]event.Field{
	{fd("@timestamp", "1714557600123"), fd("aid", "a1"), fd("CommandLine", "cmd /c \"x\"")},
	{fd("aid", "a2"), fd("RemotePort", "443"), fd("@timestamp", "1714557601000")},
}

func TestFormats(t *testing.T) {
	tests := []struct {
		format  string
		columns []string
		rows    [][]event.Field
		want    string
	}{
		{
			format: "json",
			rows:   sampleRows,
			want: `{"@timestamp":1714557600123,"aid":"a1","CommandLine":"cmd /c \"x\""}` + "\n" +
				`{"aid":"a2","RemotePort":"443","@timestamp":1714557601000}` + "\n",
		},
		{
			format:  "json",
			columns: []string{"RemotePort", "aid"},
			rows:    sampleRows,
			want:    `{"aid":"a1"}` + "\n" + `{"RemotePort":"443","aid":"a2"}` + "\n",
		},
		{
			format: "json",
			rows:   [][]event.Field{{fd("@timestamp", "not-a-time"), fd("ctl", "a\nb\x01\xff\u2028")}},
			want:   `{"@timestamp":"not-a-time","ctl":"a\nb\u0001\ufffd\u2028"}` + "\n",
		},
		{
			format: "csv",
			rows:   sampleRows,
			want: "@timestamp,aid,CommandLine,RemotePort\n" +
				"1714557600123,a1,\"cmd /c \"\"x\"\"\",\n" +
				"1714557601000,a2,,443\n",
		},
		{
			format:  "csv",
			columns: []string{"aid", "note"},
			rows:    [][]event.Field{{fd("aid", "a,b"), fd("note", "line1\nline2")}},
			want:    "aid,note\n\"a,b\",\"line1\nline2\"\n",
		},
		{format: "csv", columns: []string{"aid"}, want: "aid\n"},
		{format: "csv", want: ""},
		{
			format: "table",
			rows:   sampleRows,
			want: "" +
				"@timestamp                aid  CommandLine  RemotePort\n" +
				"------------------------  ---  -----------  ----------\n" +
				"2024-05-01T10:00:00.123Z  a1   cmd /c \"x\"\n" +
				"2024-05-01T10:00:01.000Z  a2                443\n",
		},
		{format: "table", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			var buf bytes.Buffer
			w, err := New(tt.format, &buf, tt.columns)
			if err != nil {
				t.Fatal(err)
			}
			if got := render(t, w, &buf, tt.rows); got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestJSONOutputParses(t *testing.T) {
	var buf bytes.Buffer
	w, _ := New("json", &buf, nil)
	odd := "\x00\x7f\xc3\x28 \"\\ \u00e6 \U0001F600"
	out := render(t, w, &buf, [][]event.Field{{fd("k\"ey", odd), fd("@timestamp", "-5")}})
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("output %q does not parse: %v", out, err)
	}
	if got["@timestamp"] != float64(-5) {
		t.Errorf("@timestamp = %#v, want number -5", got["@timestamp"])
	}
	if want := strings.ToValidUTF8(odd, "\ufffd"); got["k\"ey"] != want {
		t.Errorf("value = %q, want %q", got["k\"ey"], want)
	}
}

func TestTableCutsEscapesAndFits(t *testing.T) {
	long := strings.Repeat("abcdefghij", 5)
	rows := [][]event.Field{
		{fd("name", long), fd("cmd", "powershell -enc\r\nAAAA\tB\x1b[31m"), fd("n", "7")},
		{fd("name", "æøå short"), fd("cmd", "x"), fd("n", "")},
	}
	tests := []struct {
		name string
		opts TableOptions
		want string
	}{
		{
			name: "default width 40",
			want: "" +
				"name                                      cmd                                 n\n" +
				"----------------------------------------  ----------------------------------  -\n" +
				"abcdefghijabcdefghij…bcdefghijabcdefghij  powershell -enc\\r\\nAAAA\\tB\\x1b[31m  7\n" +
				"æøå short                                 x\n",
		},
		{
			name: "wide prints every cell whole",
			opts: TableOptions{Wide: true, TerminalWidth: 30},
			want: "" +
				"name                                                cmd                                 n\n" +
				"--------------------------------------------------  ----------------------------------  -\n" +
				long + "  powershell -enc\\r\\nAAAA\\tB\\x1b[31m  7\n" +
				"æøå short                                           x\n",
		},
		{
			name: "narrow max width",
			opts: TableOptions{MaxColumnWidth: 8},
			want: "" +
				"name      cmd       n\n" +
				"--------  --------  -\n" +
				"abcd…hij  powe…31m  7\n" +
				"æøå …ort  x\n",
		},
		{
			name: "fit to a 30-column terminal",
			opts: TableOptions{TerminalWidth: 30},
			want: "" +
				"name          cmd            n\n" +
				"------------  -------------  -\n" +
				"abcdef…fghij  powers…1b[31m  7\n" +
				"æøå short     x\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			got := render(t, NewTable(&buf, nil, tt.opts), &buf, rows)
			if got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
			for _, line := range strings.Split(strings.TrimSuffix(got, "\n"), "\n") {
				if tt.opts.TerminalWidth > 0 && !tt.opts.Wide && len([]rune(line)) > tt.opts.TerminalWidth {
					t.Errorf("line %q is wider than %d", line, tt.opts.TerminalWidth)
				}
			}
		})
	}
}

// Columns empty in every row are dropped; colour codes wrap the padded
// cell's text only, so columns stay aligned.
func TestTableDropEmptyAndColour(t *testing.T) {
	rows := [][]event.Field{
		{fd("severity", "high"), fd("empty", ""), fd("host", "WIN-1")},
		{fd("severity", "low"), fd("host", "LIN-22")},
	}
	var buf bytes.Buffer
	colour := func(col, v string) string {
		if col == "severity" && v == "high" {
			return "31"
		}
		return ""
	}
	got := render(t, NewTable(&buf, []string{"severity", "empty", "host"}, TableOptions{DropEmpty: true, Colour: colour}), &buf, rows)
	want := "" +
		"severity  host\n" +
		"--------  ------\n" +
		"\x1b[31mhigh\x1b[0m      WIN-1\n" +
		"low       LIN-22\n"
	if got != want {
		t.Errorf("got:\n%q\nwant:\n%q", got, want)
	}
}

func TestNewUnknownFormat(t *testing.T) {
	_, err := New("xml", &bytes.Buffer{}, nil)
	if err == nil || !strings.Contains(err.Error(), `"xml"`) {
		t.Fatalf("err = %v", err)
	}
}

// A table too wide for the terminal even with every column squeezed to
// cardMinColumn becomes cards: the leading columns that fit with their
// header, the other values below each row, nothing elided that fits.
func TestTableCards(t *testing.T) {
	var row []event.Field
	var cols []string
	for _, c := range []string{"Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta"} {
		cols = append(cols, c)
		row = append(row, fd(c, strings.ToLower(c)+"-value-long"))
	}
	row[3].Value = ""
	var buf bytes.Buffer
	got := render(t, NewTable(&buf, cols, TableOptions{TerminalWidth: 40}), &buf, [][]event.Field{row})
	want := "" +
		"Alpha             Beta\n" +
		"----------------  ---------------\n" +
		"alpha-value-long  beta-value-long\n" +
		"    Gamma: gamma-value-long\n" +
		"    Epsilon: epsilon-value-long\n" +
		"    Zeta: zeta-value-long\n"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	// --wide keeps the table.
	buf.Reset()
	if got := render(t, NewTable(&buf, cols, TableOptions{TerminalWidth: 40, Wide: true}), &buf, [][]event.Field{row}); !strings.HasPrefix(got, "Alpha             Beta             Gamma") {
		t.Errorf("wide:\n%s", got)
	}
}
