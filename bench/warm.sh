# Sourced by compare.sh and shapes.sh.
#
# warm ARGS...: reads every file among ARGS once, untimed. This VM's page
# cache drops files not read for a few minutes, so whichever tool ran
# first on a file read it from disk.
warm() { local a; for a in "$@"; do [ -f "$a" ] && cat "$a" > /dev/null; done; return 0; }
