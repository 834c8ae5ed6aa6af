package engine

import (
	"testing"

	"github.com/tiercel/tiercel/internal/event"
)

func TestParseXML(t *testing.T) {
	task := `<?xml version="1.0" encoding="UTF-16"?><Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">` +
		`<Settings><Hidden>true</Hidden></Settings><Actions Context="Author"><Exec><Command>cmd.exe</Command></Exec>` +
		`<Exec><Command>calc.exe</Command></Exec></Actions></Task>`
	events := []*event.Event{ev("x", task, "bad", "<a><b></a>")}
	tests := []struct {
		src  string
		want []string
	}{
		{"parseXml(x) | drop([x, bad])", []string{
			"Task.version=1.2 Task.Settings.Hidden=true" +
				" Task.Actions.Context=Author Task.Actions.Exec[0].Command=cmd.exe Task.Actions.Exec[1].Command=calc.exe",
		}},
		{"parseXml(x, prefix=\"t.\") | select([t.Task.Settings.Hidden])", []string{"t.Task.Settings.Hidden=true"}},
		{"parseXml(bad) | select(@error)", []string{"@error=true"}},
		{"parseXml(bad, strict=true)", nil},
		{"parseXml(missing) | select(x)", []string{"x=" + task}},
	}
	for _, tc := range tests {
		expect(t, tc.src, events, tc.want)
	}
}
