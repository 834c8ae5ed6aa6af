package engine

import (
	"strconv"
	"testing"

	"github.com/tiercel/tiercel/internal/event"
)

func TestBitfieldFlagNames(t *testing.T) {
	// examples-bitfield-extractflagsasstring-1 / -asarray: 1234 is 10011010010.
	events := []*event.Event{ev("MemoryDescriptionFlags", "1234"), ev("MemoryDescriptionFlags", "0"), ev("other", "1")}
	names := `[[0,INVALID_ADDRESS],[1,CURRENT_STACK],[2,JIT_DOTNET],[3,MZ],[4,CODE],[5,MODULE],[6,MAPPED],[7,REFLECIVE_PE],[8,JIT_FLASH],[9,PRIMARY_MODULE],[10,PRIVATE_MEMORY],[11,KNOWN_FUNCTION],[12,FREE_MEMORY]]`
	expect(t, `bitfield:extractFlagsAsString(field="MemoryDescriptionFlags", flagNames=`+names+`) | select(_flags)`, events,
		[]string{"_flags=CURRENT_STACK CODE MAPPED REFLECIVE_PE PRIVATE_MEMORY", "_flags=", ""})
	expect(t, `bitfield:extractFlagsAsArray(field="MemoryDescriptionFlags", flagNames=`+names+`, asArray="flagsArray[]") | select([flagsArray[0], flagsArray[4], flagsArray[5]])`, events,
		[]string{"flagsArray[0]=CURRENT_STACK flagsArray[4]=PRIVATE_MEMORY", "", ""})
	expect(t, `bitfield:extractFlagsAsString(field=f, flagNames=[[3,c],[0,a]], separator=",", as=s) | select(s)`, []*event.Event{ev("f", "0x9")}, []string{"s=a,c"})
	expectCompileErrorMsg(t, `bitfield:extractFlagsAsArray(field=f, flagNames=[[1,a],[1,b]])`, "given twice")
}

func TestArrayUnionIntersection(t *testing.T) {
	// functions-array-union: mail addresses present in any event.
	events := []*event.Event{ev("mailto[0]", "foo@example.com", "mailto[1]", "bar@example.com"), ev("mailto[0]", "bar@example.com"), ev("x", "1")}
	expect(t, "array:union(mailto, as=unique_mails)", events, []string{"unique_mails[0]=bar@example.com unique_mails[1]=foo@example.com"})
	expect(t, `array:intersection("mailto[]")`, events, []string{"_intersection[0]=bar@example.com"})
	expect(t, `array:union(none)`, events, []string{""})
}

func TestLinReg(t *testing.T) {
	events := []*event.Event{ev("bytes_sent", "1", "send_duration", "3"), ev("bytes_sent", "2", "send_duration", "5"), ev("bytes_sent", "3", "send_duration", "7"), ev("bytes_sent", "x")}
	// functions-linreg: linReg(x=bytes_sent, y=send_duration)
	expect(t, "linReg(x=bytes_sent, y=send_duration)", events, []string{"_slope=2 _intercept=1 _r2=1 _n=3"})
	expect(t, "linReg(x=bytes_sent, y=send_duration, prefix=fit.) | select([fit.slope])", events, []string{"fit.slope=2"})
	// No output when all x (or all y) are the same.
	expect(t, "linReg(x=a, y=b)", []*event.Event{ev("a", "1", "b", "1"), ev("a", "1", "b", "2")}, []string{""})
}

func TestArrayReduce(t *testing.T) {
	// functions-array-reducerow: the average age in each event's array.
	events := []*event.Event{ev("ages[0]", "16", "ages[1]", "32", "ages[2]", "64"), ev("ages[0]", "15", "ages[1]", "30", "ages[2]", "45", "ages[3]", "60")}
	expect(t, `array:reduceRow("ages[]", var=x, function=avg(x)) | select(_reduceRow)`, events, []string{"_reduceRow=37.333333333333336", "_reduceRow=37.5"})
	// functions-array-reducecolumn: the maximum of each index over the events.
	expect(t, `array:reduceColumn(ages, var=x, function=max(x), as=m)`, events, []string{"m[0]=16 m[1]=32 m[2]=64 m[3]=60"})
}

func TestSample(t *testing.T) {
	var events []*event.Event
	for i := range 20000 {
		events = append(events, ev("@timestamp", strconv.Itoa(1_700_000_000_000+i)))
	}
	events = append(events, ev("x", "no timestamp"))
	// functions-sample: keep 2% of the events; the same run keeps the same ones.
	got, _ := run(t, "sample(percentage=2)", events)
	if len(got) < 300 || len(got) > 500 {
		t.Errorf("sample(percentage=2) kept %d of 20000", len(got))
	}
	again, _ := run(t, "sample(2)", events)
	if len(again) != len(got) {
		t.Errorf("sample is not deterministic: %d then %d", len(got), len(again))
	}
	all, _ := run(t, "sample(percentage=100)", events)
	if len(all) != 20000 {
		t.Errorf("sample(100) kept %d, want all 20000 with the field", len(all))
	}
	none, _ := run(t, "sample(percentage=0)", events)
	if len(none) != 0 {
		t.Errorf("sample(0) kept %d", len(none))
	}
	expectCompileErrorMsg(t, "sample(percentage=101)", "0 to 100")
}

// TestArrayGaps: functions-array-length — only elements in sequence count;
// a gap ends the array, and a field that is not an array has length 0. The
// other array:* functions stop at the same gap.
func TestArrayGaps(t *testing.T) {
	events := []*event.Event{ev("animals[0]", "horse", "animals[1]", "duck", "animals[3]", "bunny", "#kind", "logs")}
	expect(t, `array:length("animals[]") | select(_length)`, events, []string{"_length=2"})
	expect(t, `array:length("#kind") | select(_length)`, events, []string{"_length=0"})
	expect(t, `array:contains("animals[]", value="bunny") | select(_length)`, events, nil)
	expect(t, `array:contains("animals[]", value="duck") | select([animals[1]])`, events, []string{"animals[1]=duck"})
	expect(t, `array:sort("animals[]", asArray="s[]") | select([s[0], s[1], s[2]])`, events, []string{"s[0]=duck s[1]=horse"})
}
