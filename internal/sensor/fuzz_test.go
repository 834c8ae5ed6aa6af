package sensor

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fixChunk makes data one well-formed chunk (signature, free-space offset,
// both checksums) around whatever bytes it holds, so the fuzzer reaches the
// binary XML parser instead of stopping at a checksum.
func fixChunk(data []byte) []byte {
	c := make([]byte, evtxChunkSize)
	copy(c, data)
	copy(c, evtxChunkMagic)
	free := int(binary.LittleEndian.Uint32(c[48:]))
	if free < evtxChunkHeaderSize || free > evtxChunkSize {
		free = min(max(len(data), evtxChunkHeaderSize), evtxChunkSize)
		binary.LittleEndian.PutUint32(c[48:], uint32(free))
	}
	binary.LittleEndian.PutUint32(c[52:], crc32.ChecksumIEEE(c[evtxChunkHeaderSize:free]))
	h := crc32.NewIEEE()
	h.Write(c[:120])
	h.Write(c[128:evtxChunkHeaderSize])
	binary.LittleEndian.PutUint32(c[124:], h.Sum32())
	file := make([]byte, evtxFileHeaderSize, evtxFileHeaderSize+evtxChunkSize)
	copy(file, evtxFileMagic)
	binary.LittleEndian.PutUint32(file[32:], 128)
	binary.LittleEndian.PutUint16(file[42:], 1)
	binary.LittleEndian.PutUint32(file[124:], crc32.ChecksumIEEE(file[:120]))
	return append(file, c...)
}

// FuzzEVTX feeds arbitrary chunk contents (checksums made to match) and
// arbitrary whole files to the reader: it must never panic, and every
// record it delivers must have an element.
func FuzzEVTX(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(samplesDir, "*.evtx"))
	for i, path := range files {
		if i%4 != 0 {
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil || len(data) < evtxFileHeaderSize+evtxChunkSize {
			continue
		}
		chunk := data[evtxFileHeaderSize : evtxFileHeaderSize+evtxChunkSize]
		free := int(binary.LittleEndian.Uint32(chunk[48:]))
		f.Add(bytes.Clone(chunk[:min(free, len(chunk))]))
	}
	// A chunk from our writer, so the corpus does not depend on the samples.
	var mem memFile
	ew, _ := NewEVTXWriter(&mem)
	for i, w := range sampleSysmon(12) {
		ew.Write(w, 134170000000000000+uint64(i))
	}
	ew.Close()
	if len(mem.b) > evtxFileHeaderSize {
		f.Add(bytes.Clone(mem.b[evtxFileHeaderSize:]))
	}
	f.Add([]byte("ElfChnk\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, in := range [][]byte{fixChunk(data), data} {
			_, err := ReadEVTX(in, func(r *EVTXRecord) error {
				if r.Event == nil {
					t.Fatal("record without an element")
				}
				WinEventFromNode(r.Event)
				return nil
			}, nil)
			if err != nil && !strings.HasPrefix(err.Error(), "not an EVTX file") {
				t.Fatalf("unexpected error: %v", err)
			}
		}
	})
}

// FuzzConvert runs every line-based reader over arbitrary text: no panic,
// and every problem names its position.
func FuzzConvert(f *testing.F) {
	f.Add(byte(0), []byte("type=SYSCALL msg=audit(1.2:3): arch=c000003e syscall=59 exe=\"/bin/x\"\ntype=EXECVE msg=audit(1.2:3): argc=2 a0=\"x\" a1=4142\ntype=SOCKADDR msg=audit(1.2:3): saddr=0A00\n"))
	f.Add(byte(1), []byte(`{"ID":"1.2:3","SYSCALL":{"exe":"/bin/x"},"SOCKADDR":{"saddr":{"family":"inet","addr":"1.2.3.4","port":443}}}`+"\n"))
	f.Add(byte(2), []byte(`<Event><System><EventID>1</EventID></System><EventData><Data Name="Image">x</Data></EventData></Event>`))
	f.Add(byte(3), []byte(`{"winlog":{"event_id":3,"event_data":{"Initiated":"true"}}}`+"\n"))
	f.Add(byte(4), []byte(`[{"Id":1,"LogName":"x","ProviderName":"y","Properties":[{"Value":1}]}]`))
	f.Add(byte(5), []byte(`{"Timestamp":"2026-03-02T09:00:00Z","DeviceName":"x","ActionType":"DnsQueryResponse","AdditionalFields":"{\"DnsQueryString\":\"a\"}"}`))
	f.Add(byte(6), []byte("Timestamp,DeviceName,ActionType,RemoteIP\n2026-03-02T09:00:00Z,x,ConnectionSuccess,\"1.2.3.4\"\n"))
	f.Add(byte(7), []byte("1772443965.447    120 10.0.0.5 TCP_TUNNEL/200 5321 CONNECT api.shodan.io:443 alice HIER_DIRECT/1.2.3.4 -\n"))
	f.Add(byte(8), []byte("#Fields: date time cs-host cs-uri-stem cs(User-Agent)\n2026-03-02 09:00:00 a.b /x \"q \"\"r\"\"\"\n"))
	f.Add(byte(9), []byte(`127.0.0.1 - alice [02/Mar/2026:09:16:29 +0000] "GET http://whois.arin.net/rest/ip/1.2.3.4 HTTP/1.1" 200 604 "-" "theHarvester" TCP_MISS:HIER_DIRECT`+"\n"))
	f.Add(byte(10), []byte("event_simpleName,aid,CommandLine\nProcessRollup2,a1,\"x \"\"y\"\"\"\n"))
	formats := []Format{FormatAuditd, FormatLaurel, FormatWinXML, FormatWinlogbeat, FormatGetWinEvent, FormatDefender, FormatDefenderCSV, FormatSquid, FormatW3C, FormatSquidHTTPD, FormatFalconCSV}
	f.Fuzz(func(t *testing.T, which byte, data []byte) {
		Detect(data) // the sniffing must not panic either
		format := formats[int(which)%len(formats)]
		_, err := Convert(format, "fuzz", bytes.NewReader(data), io.Discard, func(p Problem) {
			if p.Source != "fuzz" {
				t.Fatalf("problem without its source: %v", p)
			}
		})
		if err != nil && !strings.Contains(err.Error(), "after line") {
			t.Fatalf("%s: %v", format, err)
		}
	})
}

// memFile is an in-memory io.WriteSeeker.
type memFile struct {
	b   []byte
	pos int
}

func (m *memFile) Write(p []byte) (int, error) {
	if need := m.pos + len(p); need > len(m.b) {
		m.b = append(m.b, make([]byte, need-len(m.b))...)
	}
	copy(m.b[m.pos:], p)
	m.pos += len(p)
	return len(p), nil
}

func (m *memFile) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
		m.pos = int(off)
	case io.SeekCurrent:
		m.pos += int(off)
	case io.SeekEnd:
		m.pos = len(m.b) + int(off)
	}
	return int64(m.pos), nil
}
