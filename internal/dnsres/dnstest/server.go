// Package dnstest runs a tiny loopback DNS server answering PTR queries,
// for tests of rdns() and reverseDns() that must not touch the network.
package dnstest

import (
	"encoding/binary"
	"net"
	"strings"
	"sync/atomic"
	"testing"
)

// PTRServer answers PTR queries on a loopback UDP port from names, and
// counts the queries it gets. Unknown names get NXDOMAIN.
func PTRServer(t testing.TB, names map[string]string) (string, *atomic.Int32) {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Skipf("no loopback UDP: %v", err)
	}
	t.Cleanup(func() { pc.Close() })
	var count atomic.Int32
	go func() {
		buf := make([]byte, 512)
		for {
			n, addr, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			count.Add(1)
			if resp := answer(buf[:n], names); resp != nil {
				pc.WriteTo(resp, addr)
			}
		}
	}()
	return pc.LocalAddr().String(), &count
}

// answer builds a DNS response to a one-question query.
func answer(q []byte, names map[string]string) []byte {
	if len(q) < 12 {
		return nil
	}
	var labels []string
	i := 12
	for i < len(q) && q[i] != 0 {
		l := int(q[i])
		if i+1+l > len(q) {
			return nil
		}
		labels = append(labels, string(q[i+1:i+1+l]))
		i += 1 + l
	}
	qEnd := i + 5 // zero byte, QTYPE, QCLASS
	if qEnd > len(q) {
		return nil
	}
	qtype := binary.BigEndian.Uint16(q[i+1:])
	resp := append([]byte(nil), q[:qEnd]...)
	resp[2] = 0x84 | q[2]&0x01 // response, authoritative, keep RD
	resp[3] = 0x80             // RA
	binary.BigEndian.PutUint16(resp[6:], 0)
	binary.BigEndian.PutUint16(resp[8:], 0)
	binary.BigEndian.PutUint16(resp[10:], 0)
	host, ok := names[strings.Join(labels, ".")]
	if !ok || qtype != 12 {
		if !ok {
			resp[3] |= 3 // NXDOMAIN
		}
		return resp
	}
	binary.BigEndian.PutUint16(resp[6:], 1)
	resp = append(resp, 0xc0, 12)                 // name: pointer to the question
	resp = append(resp, 0, 12, 0, 1, 0, 0, 0, 60) // PTR, IN, TTL 60
	var rdata []byte
	for _, l := range strings.Split(strings.TrimSuffix(host, "."), ".") {
		rdata = append(rdata, byte(len(l)))
		rdata = append(rdata, l...)
	}
	rdata = append(rdata, 0)
	resp = binary.BigEndian.AppendUint16(resp, uint16(len(rdata)))
	return append(resp, rdata...)
}
