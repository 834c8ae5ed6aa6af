package engine

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"hash"

	"github.com/tiercel/tiercel/internal/event"
)

// crypto:md5/sha1/sha256 digest the values of one or more fields (joined
// in order, missing fields skipped) into lower-case hex.

func init() {
	for name, h := range map[string]struct {
		as  string
		new func() hash.Hash
	}{
		"crypto:md5":    {"_md5", md5.New},
		"crypto:sha1":   {"_sha1", sha1.New},
		"crypto:sha256": {"_sha256", sha256.New},
	} {
		registerFunc(name, &funcImpl{params: []string{"field", "as"}, defaultAs: h.as,
			value: func(c *compiler, a *args) (expr, error) {
				fields, err := a.readFields("field")
				if err != nil {
					return nil, err
				}
				return &digestExpr{fields: fields, new: h.new}, nil
			}})
	}
}

type digestExpr struct {
	fields []string
	new    func() hash.Hash
}

func (e *digestExpr) eval(_ *exec, ev *event.Event) (string, bool) {
	h := e.new()
	seen := false
	for _, f := range e.fields {
		if v, ok := ev.Get(f); ok {
			h.Write([]byte(v))
			seen = true
		}
	}
	if !seen {
		return "", false
	}
	return hex.EncodeToString(h.Sum(nil)), true
}
