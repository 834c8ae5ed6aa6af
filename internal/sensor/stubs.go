package sensor

import (
	"errors"
	"io"
)

var errNotYet = errors.New("format reader not built yet")

func (c *converter) defenderObject(obj map[string]any) error { return errNotYet }
func (c *converter) defenderCSV(src io.Reader) error         { return errNotYet }
func (c *converter) squidLine(line []byte, n int) error      { return errNotYet }
func (c *converter) w3c(src io.Reader) error                 { return errNotYet }
func isDefenderHeader(line []byte) bool                      { return false }

func (e *Emitter) defender(ev string, f func(string) string, ms int64, aid string, ctx *emuProc) error {
	return nil
}
func (e *Emitter) proxy(ev string, f func(string) string, ms int64, aid string, ctx *emuProc) error {
	return nil
}
