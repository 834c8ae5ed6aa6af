package enrich

import "strings"

// splitImage splits an image path into directory (with its trailing
// separator) and base name, as LogScale shows FilePath and FileName.
// Paths starting with '/' are POSIX, where a backslash is an ordinary
// character; anything else (NT device paths, drive letters, UNC) splits on
// either separator.
func splitImage(p string) (dir, base string) {
	var i int
	if strings.HasPrefix(p, "/") {
		i = strings.LastIndexByte(p, '/')
	} else {
		i = strings.LastIndexAny(p, `\/`)
	}
	if i < 0 {
		return "", p
	}
	return p[:i+1], p[i+1:]
}

// baseName returns the file name part of an image path ("" for "/").
func baseName(p string) string {
	_, b := splitImage(p)
	return b
}

// argv0 returns the program a command line starts with, honouring a leading
// double-quoted path ("C:\Program Files\x.exe" -a).
func argv0(cmd string) string {
	cmd = strings.TrimLeft(cmd, " \t")
	if strings.HasPrefix(cmd, `"`) {
		if j := strings.IndexByte(cmd[1:], '"'); j >= 0 {
			return cmd[1 : 1+j]
		}
		return cmd[1:]
	}
	if j := strings.IndexAny(cmd, " \t"); j >= 0 {
		return cmd[:j]
	}
	return cmd
}

// processBaseName is the name of a process image. Linux children of container
// runtimes report ImageFileName "/", so the name comes from argv0 instead.
func processBaseName(image, cmdline string) string {
	if b := baseName(image); b != "" {
		return b
	}
	return baseName(argv0(cmdline))
}
