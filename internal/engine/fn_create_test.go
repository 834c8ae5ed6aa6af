package engine

import (
	"strconv"
	"testing"

	"github.com/tiercel/tiercel/internal/event"
)

func TestCreateEvents(t *testing.T) {
	now := strconv.FormatInt(testNow.UnixMilli(), 10)
	input := []*event.Event{ev("ignored", "yes")}
	expect(t, `createEvents(["animal=dog weight=7.0", "animal=cat weight=4.2"]) | kvParse() | drop(@rawstring)`, input, []string{
		"@timestamp=" + now + " @timestamp.nanos=0 animal=dog weight=7.0",
		"@timestamp=" + now + " @timestamp.nanos=0 animal=cat weight=4.2",
	})
	expect(t, `createEvents(rawstring="{\"a\":1}") | parseJson() | select(a)`, nil, []string{"a=1"})
	expect(t, `createEvents(["x=1", "x=2", "x=3"]) | kvParse() | sum(x)`, nil, []string{"_sum=6"})
	expectCompileError(t, "createEvents()")
}
