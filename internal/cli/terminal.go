package cli

import (
	"io"
	"os"
	"strconv"
)

// isTerminal reports whether w is a terminal. /dev/null is a character
// device too, so on Unix the window-size ioctl decides (term_unix.go).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	return fileIsTerminal(f)
}

// readerIsTerminal is isTerminal for standard input.
func readerIsTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && fileIsTerminal(f)
}

// terminalWidth is the column count of w when it is a terminal, else 0
// (no limit). $COLUMNS overrides, as for other tools.
func terminalWidth(w io.Writer) int {
	if !isTerminal(w) {
		return 0
	}
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	if n := fileWidth(w.(*os.File)); n > 0 {
		return n
	}
	return 80
}

// useColour reports whether to colour output to w: a terminal, and
// NO_COLOR (https://no-color.org) unset or empty, and TERM not "dumb".
func useColour(w io.Writer) bool {
	if os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	return isTerminal(w)
}
