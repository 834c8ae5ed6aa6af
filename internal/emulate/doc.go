// Package emulate generates the Falcon sensor telemetry of the seed
// detection's (T1590.005) five Atomic Red Team tests on a Windows and a Linux
// host, interleaved with benign background from a whole estate and with the
// false-positive sources the seed's tuning notes name, plus a ground-truth
// Manifest of what the detection should and should not raise.
//
// Output is raw FDR as delivered (every value a string, no ComputerName,
// UserName or ContextProcessName on sensor events, lines shuffled within a
// window) or the LogScale view of the same events. Generation streams: memory
// does not grow with the number of events, and a seed fixes every byte.
//
//	g, _ := emulate.New(emulate.Options{Seed: 1, Events: 1_000_000})
//	m, _ := g.Run(w)                 // NDJSON telemetry, one line per Write
//	m, _ := emulate.WriteFDR(dir, g)  // or an FDR tree with lookups and manifest.json
//
// The estate's false-positive sources (DefaultEstate: SOCHosts, ScannerHosts,
// ScannerAccounts, SOARScripts, SOARWorker) have names that do not depend on
// the seed, so rule packages can ship lookup files for them. Kiosk hosts
// (KioskHosts) run only a browser after boot, so their BrowserPrefetch
// lookups are what the browser-prefetch tuning removes; the manifest records
// per scenario whether it does (FalsePositive.Expectations), computed from
// the events generated.
package emulate
