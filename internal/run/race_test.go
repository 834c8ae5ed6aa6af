//go:build race

package run

// raceDetector: the tests run under -race, many times slower; the corpus
// sweeps take a sample.
const raceDetector = true
