package engine

import (
	"testing"

	"github.com/tiercel/tiercel/internal/event"
)

// Every strftime directive that maps to one fixed Go layout, at a time that
// tells each field apart (2024-03-05 14:07:09 UTC, a Tuesday).
func TestFormatTimeFixedLayouts(t *testing.T) {
	tests := []struct{ format, want string }{
		{"%F", "2024-03-05"}, {"%T", "14:07:09"}, {"%b", "Mar"}, {"%h", "Mar"}, {"%B", "March"},
		{"%a", "Tue"}, {"%A", "Tuesday"}, {"%r", "02:07:09 PM"}, {"%R", "14:07"}, {"%D", "03/05/24"},
		{"%c", "Tue Mar  5 14:07:09 2024"}, {"%z", "+0000"}, {"%F %%T", "2024-03-05 %T"},
	}
	for _, tt := range tests {
		expect(t, `t := formatTime("`+tt.format+`", field=@timestamp) | select([t])`,
			[]*event.Event{ev("@timestamp", "1709647629000")}, []string{"t=" + tt.want})
	}
}
