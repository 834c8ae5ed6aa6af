package output

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/tiercel/tiercel/internal/event"
	"github.com/tiercel/tiercel/internal/scratch"
)

// rowStore keeps the rows a writer prints only at Close (a table's widths
// and a table's or CSV's columns depend on every row): in memory up to a
// budget, the rest written to a temporary file. A filter returning
// 167,540 whole events as a table held 520 MB of rows before.
type rowStore struct {
	mem   []storedRow
	held  int64 // estimated bytes in mem
	limit int64 // 0: rowMemory
	spill *scratch.File
	w     *bufio.Writer
	buf   []byte
	// noFile: no temporary file could be made; every row stays in memory
	noFile bool
	werr   error // writing the file failed: Close reports it
}

// rowMemory is what a rowStore holds in memory before it spills.
const rowMemory = 16 << 20

// add keeps a copy of ev.
func (s *rowStore) add(ev *event.Event) {
	limit := s.limit
	if limit <= 0 {
		limit = rowMemory
	}
	if !s.noFile && (s.spill != nil || s.held >= limit) && s.write(ev) {
		return
	}
	row := storeRow(ev)
	for _, f := range row {
		s.held += int64(len(f.Name) + len(f.Value) + 48)
	}
	s.mem = append(s.mem, row)
}

// write appends ev to the file: a count of fields, then each name and
// value, every one led by its length. It reports false when no file could
// be made.
func (s *rowStore) write(ev *event.Event) bool {
	if s.spill == nil {
		f, err := scratch.New("tiercel-rows-*")
		if err != nil {
			s.noFile = true
			return false
		}
		s.spill, s.w = f, bufio.NewWriterSize(f, 1<<16)
	}
	b := binary.AppendUvarint(s.buf[:0], uint64(ev.Len()))
	for _, f := range ev.Fields() {
		b = binary.AppendUvarint(b, uint64(len(f.Name)))
		b = append(b, f.Name...)
		b = binary.AppendUvarint(b, uint64(len(f.Value)))
		b = append(b, f.Value...)
	}
	s.buf = b
	if _, err := s.w.Write(b); err != nil && s.werr == nil {
		s.werr = err
	}
	return true
}

// each calls fn with every row in the order added. A row from the file
// is valid only during the call.
func (s *rowStore) each(fn func(storedRow) error) error {
	for _, row := range s.mem {
		if err := fn(row); err != nil {
			return err
		}
	}
	if s.spill == nil {
		return nil
	}
	if s.werr == nil {
		s.werr = s.w.Flush()
	}
	if s.werr != nil {
		return fmt.Errorf("keeping result rows in a temporary file: %w", s.werr)
	}
	if _, err := s.spill.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("reading back result rows: %w", err)
	}
	r := bufio.NewReaderSize(s.spill, 1<<16)
	var row storedRow
	for {
		n, err := binary.ReadUvarint(r)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading back result rows: %w", err)
		}
		row = row[:0]
		for range n {
			name, err := readString(r)
			if err != nil {
				return err
			}
			value, err := readString(r)
			if err != nil {
				return err
			}
			row = append(row, event.Field{Name: name, Value: value})
		}
		if err := fn(row); err != nil {
			return err
		}
	}
}

func readString(r *bufio.Reader) (string, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return "", fmt.Errorf("reading back result rows: %w", err)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("reading back result rows: %w", err)
	}
	return string(b), nil
}

// empty reports whether no row was added.
func (s *rowStore) empty() bool { return len(s.mem) == 0 && s.spill == nil }

// close drops the rows and removes the file.
func (s *rowStore) close() {
	s.mem = nil
	if s.spill != nil {
		s.spill.Close()
		s.spill = nil
	}
}
