package enrich

import "github.com/tiercel/tiercel/internal/event"

// Wanted is a set of the fields enrichment adds, by their counter slot:
// the ones the queries an event goes to read. ApplyWanted looks a process,
// its parent, a user or a DNS answer up only for a field one of them
// reads: a hunt's event goes to a few rules, each reading few fields, and
// the lookups (large tables, a cache miss each) were a fifth of a hunt
// over data rich in processes.
type Wanted uint32

// AllWanted is every field enrichment adds (Apply).
const AllWanted Wanted = 1<<numAdded - 1

// processWanted are the fields a lookup of the acting process gives (its
// user's name through the process's ids).
const processWanted = 1<<addContextProcessName | 1<<addContextCommandLine | 1<<addContextImageFileName |
	1<<addContextParentBaseFileName | 1<<addUserName

// WantedBy returns the fields enrichment adds that a query needing n reads.
func WantedBy(n event.Needs) Wanted {
	var w Wanted
	for slot, name := range addedNames {
		if n.Wants(name) {
			w |= 1 << slot
		}
	}
	return w
}

func (w Wanted) has(slot int) bool { return w&(1<<slot) != 0 }
