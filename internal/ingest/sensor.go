package ingest

import (
	"bufio"
	"bytes"
	"io"

	"github.com/klauspost/compress/zstd"
	"github.com/tiercel/tiercel/internal/inflate"

	"github.com/tiercel/tiercel/internal/sensor"
)

// sniffSize is how much of a stream is looked at to recognise a sensor format.
const sniffSize = 64 << 10

// sensorInput is the one entry point for the logs of other sensors (EVTX,
// Windows exports, auditd, Defender XDR, proxy logs): it looks at the
// content of src, decompressing a copy of its head when it is gzip or zstd,
// and when it is a sensor format returns a reader of the Falcon-model NDJSON
// the sensor package makes of it. Anything else comes back unchanged (still
// compressed), so the NDJSON path does not change; converted says which.
// Records the sensor reader skips go to skip with their file:line or
// record position.
func sensorInput(src io.Reader, path string, skip func(sensor.Problem)) (_ io.ReadCloser, converted bool) {
	br := bufio.NewReaderSize(src, sniffSize)
	head, _ := br.Peek(sniffSize)
	content := head
	var decompress func(io.Reader) (io.ReadCloser, error)
	switch sniff(head) {
	case gzipCodec:
		decompress = func(r io.Reader) (io.ReadCloser, error) { return inflate.NewReader(r) }
	case zstdCodec:
		decompress = func(r io.Reader) (io.ReadCloser, error) {
			d, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(maxZstdWindow))
			if err != nil {
				return nil, err
			}
			return d.IOReadCloser(), nil
		}
	}
	if decompress != nil {
		d, err := decompress(bytes.NewReader(head))
		if err != nil {
			return io.NopCloser(br), false
		}
		content, _ = io.ReadAll(io.LimitReader(d, sniffSize))
		d.Close()
	}
	format := sensor.Detect(content)
	if format == sensor.FormatNone {
		return io.NopCloser(br), false
	}
	var log io.Reader = br
	var closeIn func() error
	if decompress != nil {
		d, err := decompress(br)
		if err != nil {
			return io.NopCloser(br), false
		}
		log, closeIn = d, d.Close
	}
	pr, pw := io.Pipe()
	go func() {
		_, err := sensor.Convert(format, path, log, pw, skip)
		if closeIn != nil {
			closeIn()
		}
		pw.CloseWithError(err)
	}()
	return pr, true
}
