package engine

import (
	"encoding/xml"
	"io"
	"strconv"
	"strings"

	"github.com/tiercel/tiercel/internal/event"
)

// parseXml(field=@rawstring, prefix, strict=false) flattens XML into fields
// named by element path from the root: <Task><Settings><Hidden>true...
// gives Task.Settings.Hidden=true. Attributes become path.attr; sibling
// elements sharing a name become name[0], name[1], ... Text of an element
// that also has children is kept only when it is not blank. Invalid XML
// leaves the event with @error set (strict=true drops the event).

func init() {
	registerFunc("parseXml", &funcImpl{params: []string{"field", "prefix", "strict"}, step: compileParseXML})
}

type parseXMLStep struct {
	field, prefix string
	strict        bool
}

func compileParseXML(c *compiler, a *args) (any, error) {
	s := &parseXMLStep{}
	var err error
	if s.field, err = a.fieldName("field", event.RawString); err != nil {
		return nil, err
	}
	if s.prefix, err = a.str("prefix", ""); err != nil {
		return nil, err
	}
	if s.strict, err = a.boolean("strict", false); err != nil {
		return nil, err
	}
	return s, nil
}

type xmlNode struct {
	name     string
	attrs    []xml.Attr
	text     strings.Builder
	children []*xmlNode
}

// parseXMLTree reads one document into a tree of elements.
func parseXMLTree(s string) (*xmlNode, error) {
	d := xml.NewDecoder(strings.NewReader(s))
	// the text is already decoded: ignore encoding="UTF-16" declarations
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	root := &xmlNode{}
	stack := []*xmlNode{root}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		top := stack[len(stack)-1]
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) > 200 {
				return nil, errXMLDepth
			}
			n := &xmlNode{name: t.Name.Local, attrs: t.Attr}
			top.children = append(top.children, n)
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			top.text.Write(t)
		}
	}
	if len(stack) != 1 || len(root.children) == 0 {
		return nil, errXMLEmpty
	}
	return root, nil
}

type xmlError string

func (e xmlError) Error() string { return string(e) }

const (
	errXMLDepth xmlError = "XML nested too deeply"
	errXMLEmpty xmlError = "no XML element found"
)

func (s *parseXMLStep) apply(x *exec, ev *event.Event) bool {
	v, ok := ev.Get(s.field)
	if !ok {
		return true
	}
	root, err := parseXMLTree(v)
	if err != nil {
		if s.strict {
			return false
		}
		ev.Set("@error", "true")
		ev.Set("@error_msg", "parseXml: "+err.Error())
		return true
	}
	before := ev.Len()
	flattenXML(ev, root, s.prefix)
	x.checkFields("parseXml", ev.Len()-before)
	return true
}

// flattenXML sets the fields of n's children under path (n itself is the
// document or an element whose own path is already written).
func flattenXML(ev *event.Event, n *xmlNode, path string) {
	counts := map[string]int{}
	for _, c := range n.children {
		counts[c.name]++
	}
	seen := map[string]int{}
	for _, c := range n.children {
		name := c.name
		if counts[name] > 1 {
			name += "[" + strconv.Itoa(seen[c.name]) + "]"
			seen[c.name]++
		}
		p := name
		if path != "" && !strings.HasSuffix(path, ".") {
			p = path + "." + name
		} else {
			p = path + name
		}
		text := c.text.String()
		if len(c.children) == 0 || strings.TrimSpace(text) != "" {
			if len(c.children) > 0 {
				text = strings.TrimSpace(text)
			}
			if len(c.children) > 0 || len(c.attrs) == 0 || text != "" {
				ev.Set(p, text)
			}
		}
		for _, a := range c.attrs {
			if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" {
				continue
			}
			ev.Set(p+"."+a.Name.Local, a.Value)
		}
		flattenXML(ev, c, p)
	}
}
