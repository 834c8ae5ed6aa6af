package engine

// A line rejected by a prefilter is most often rejected on its event name
// alone (SensorHeartbeat against a query on three other events), and the
// name's tests are the same for every line of that name: the literals
// scanned, the value checked for escapes, once a test. A Matcher remembers
// each test's answer by name (a NameMemo), so a line costs one lookup of its
// name and a bit a test.

// maxNameTests is how many tests of event_simpleName a prefilter's
// answers are remembered for (nameBit numbers them from 1).
const maxNameTests = 64

// markNameTests numbers n's tests of the event name's value (slot
// nameKey): a field's kids test its value alone (scopeFields wraps only
// literals of the one field), so their answer is the name's. It returns
// the next number.
func markNameTests(n *pfNode, nameKey int, next uint8) uint8 {
	if n.op == litField && n.key == nameKey {
		if next <= maxNameTests {
			n.nameBit = next
			next++
		}
		return next
	}
	for i := range n.kids {
		next = markNameTests(&n.kids[i], nameKey, next)
	}
	return next
}

// nameAnswers are a prefilter's answers for one event name (a Matcher
// keeps them in a NameMemo): bit nameBit-1 of known says a test was run,
// the same bit of pass what it answered.
type nameAnswers struct {
	known, pass uint64
}

func newNameAnswers() *nameAnswers { return new(nameAnswers) }

// matchName is matchValue for a test of the event name (nameBit set),
// whose answer for the line's name c's memo knows or learns.
func (n *pfNode) matchName(c *keyCache) bool {
	v := c.val[n.key]
	e := c.answers
	if e == nil {
		e = c.memo.Get(v, newNameAnswers)
		c.answers = e
	}
	bit := uint64(1) << (n.nameBit - 1)
	if e.known&bit == 0 {
		if n.matchValue(v, true, c) {
			e.pass |= bit
		}
		e.known |= bit
	}
	return e.pass&bit != 0
}
