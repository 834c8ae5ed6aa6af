package engine

import (
	"testing"

	"github.com/tiercel/tiercel/internal/event"
)

func TestObjectArrayExists(t *testing.T) {
	// examples-objectarrayexists-1: nested arrays, array:exists as the condition.
	events := []*event.Event{
		ev("a[0].field.b[0]", "1"),
		ev("a[0].field.b[0]", "1", "a[0].field.b[1]", "2"),
		ev("a[1].field.b[0]", "3"),
		ev("a[0].field.b[0]", "1", "a[0].field.b[1]", "2", "a[1].field.b[0]", "3", "a[2].field.b[0]", "4"),
	}
	expect(t, `objectArray:exists(array="a[]", condition=array:exists(array="a.field.b[]", var=x, condition=test(x==2))) | select([a[0].field.b[1]])`, events,
		[]string{"a[0].field.b[1]=2", "a[0].field.b[1]=2"})
	// with var= and a {pipeline}; the third event's array starts with a gap.
	expect(t, `objectArray:exists(array="a[]", var=e, condition={e.field.b[0] = 3}) | select([a[2].field.b[0]])`, events, []string{"a[2].field.b[0]=4"})
	expect(t, `!objectArray:exists(array="a[]", var=e, condition={e.field.b[0] = 1}) | select([a[1].field.b[0]])`, events, []string{"a[1].field.b[0]=3"})
}

func TestArrayExistsBareCall(t *testing.T) {
	// examples-arrayexists-in-2: kvparse() | array:exists(array="a[]", condition=in(a, values=[3, 4]))
	events := []*event.Event{ev(event.RawString, "a[0]=1 a[1]=2"), ev(event.RawString, "a[0]=1 a[1]=3"), ev(event.RawString, "a[0]=1 a[1]=4")}
	expect(t, `kvParse() | array:exists(array="a[]", condition=in(a, values=[3, 4])) | select([a[1]])`, events, []string{"a[1]=3", "a[1]=4"})
	// examples-arrayexists-filtering-pipeline
	withB := []*event.Event{ev(event.RawString, "a[0]=1 a[1]=2 b=4"), ev(event.RawString, "a[0]=1 a[1]=3 b=4"), ev(event.RawString, "a[0]=1 a[1]=4 b=3")}
	expect(t, `kvParse() | array:exists(array="a[]", var=x, condition={ x=3 OR x=4 | test(x>=b) }) | select([b])`, withB, []string{"b=3"})
}

func TestArrayEvalSort(t *testing.T) {
	events := []*event.Event{ev("values[0]", "2", "values[1]", "3", "values[2]", "4")}
	// functions-array-eval: square the value of each item.
	expect(t, `array:eval("values[]", asArray="squared[]", var=x, function={squared := x*x}) | select([squared[0], squared[1], squared[2]])`, events,
		[]string{"squared[0]=4 squared[1]=9 squared[2]=16"})
	// asArray defaults to the input array, which is overwritten.
	expect(t, `array:eval("values[]", var=x, function={values := x+1}) | select([values[0], values[1], values[2]])`, events,
		[]string{"values[0]=3 values[1]=4 values[2]=5"})
	// The output is compacted: elements the function drops leave no gap.
	expect(t, `array:eval("values[]", asArray="odd[]", var=x, function={x != 2 | odd := x}) | select([odd[0], odd[1], odd[2]])`, events,
		[]string{"odd[0]=3 odd[1]=4"})

	// objectArray:eval: concatenate fields of each object.
	objs := []*event.Event{ev("my_array[0].a", "x", "my_array[0].b", "1", "my_array[1].a", "y", "my_array[1].b", "2")}
	expect(t, `objectArray:eval("my_array[]", var=x, function={_mapped := concat([x.a, x.b])}, asArray="_mapped[]") | select([_mapped[0], _mapped[1]])`, objs,
		[]string{"_mapped[0]=x1 _mapped[1]=y2"})
	expect(t, `objectArray:eval("my_array[]", function={_mapped := concat([my_array[].a, my_array[].b])}, asArray="_mapped[]") | select([_mapped[0], _mapped[1]])`, objs,
		[]string{"_mapped[0]=x1 _mapped[1]=y2"})
	expectCompileErrorMsg(t, `objectArray:eval("my_array[]", function={x := 1})`, "asArray")

	// array:sort (functions-array-sort): strings case-insensitively by
	// default; as numbers, non-numbers follow the numbers in either order.
	nums := []*event.Event{ev("n[0]", "10", "n[1]", "9", "n[2]", "b", "n[3]", "0x1F", "n[4]", "A")}
	expect(t, `array:sort("n[]") | select([n[0], n[1], n[2], n[3], n[4]])`, nums, []string{"n[0]=0x1F n[1]=10 n[2]=9 n[3]=A n[4]=b"})
	expect(t, `array:sort("n[]", type=number, asArray="s[]") | select([s[0], s[1], s[2], s[3], s[4]])`, nums, []string{"s[0]=9 s[1]=10 s[2]=0x1F s[3]=A s[4]=b"})
	expect(t, `array:sort("n[]", type=number, order=descending) | select([n[0], n[1], n[2], n[3], n[4]])`, nums, []string{"n[0]=10 n[1]=9 n[2]=b n[3]=A n[4]=0x1F"})
	expect(t, `array:sort("n[]", type=hex, order=asc) | select([n[0], n[1], n[2], n[3], n[4]])`, nums, []string{"n[0]=9 n[1]=A n[2]=b n[3]=10 n[4]=0x1F"})
	// The output array is not terminated: a longer asArray keeps its tail.
	short := []*event.Event{ev("n[0]", "2", "n[1]", "1", "o[0]", "x", "o[1]", "y", "o[2]", "z")}
	expect(t, `array:sort("n[]", asArray="o[]") | select([o[0], o[1], o[2]])`, short, []string{"o[0]=1 o[1]=2 o[2]=z"})
}
