package cql

import "strings"

// Comment is a `// line` or `/* block */` comment; Text is as written,
// delimiters included (trailing blanks of a line comment trimmed).
type Comment struct {
	Text string
	Sp   Span
}

func (c *Comment) Span() Span     { return c.Sp }
func (c *Comment) String() string { return c.Text }

// IsLine reports whether c is a `//` comment, which runs to the end of its line.
func (c *Comment) IsLine() bool { return strings.HasPrefix(c.Text, "//") }

// Comments are the comments attached to a step or a case/match clause.
// Leading ones stand on their own lines before it (comments found inside
// its expressions are moved here too); Trailing ones follow it on its last line.
type Comments struct {
	Leading  []*Comment
	Trailing []*Comment
}

func (c *Comments) empty() bool { return c == nil || len(c.Leading) == 0 && len(c.Trailing) == 0 }

// scanComments returns the comments in src[from:to], a stretch the scanner
// skipped, so it holds only blanks and comments.
func scanComments(src string, from, to int, out []*Comment) []*Comment {
	for i := from; i < to-1; i++ {
		if src[i] != '/' {
			continue
		}
		switch src[i+1] {
		case '/':
			end := strings.IndexByte(src[i:to], '\n')
			if end < 0 {
				end = to - i
			}
			text := strings.TrimRight(src[i:i+end], " \t\r\f")
			out = append(out, &Comment{Text: text, Sp: Span{Pos(i), Pos(i + len(text))}})
			i += end
		case '*':
			end := strings.Index(src[i+2:to], "*/")
			stop := to
			if end >= 0 {
				stop = i + 2 + end + 2
			}
			out = append(out, &Comment{Text: src[i:stop], Sp: Span{Pos(i), Pos(stop)}})
			i = stop - 1
		}
	}
	return out
}

// AllComments lists every comment attached anywhere in q, in printing order.
func (q *Query) AllComments() []*Comment {
	if q == nil {
		return nil
	}
	return appendPipelineComments(nil, q.Pipeline)
}

func appendPipelineComments(out []*Comment, p *Pipeline) []*Comment {
	if p == nil {
		return out
	}
	for _, s := range p.Steps {
		c := StepComments(s)
		if c == nil {
			continue
		}
		out = append(out, c.Leading...)
		switch s := s.(type) {
		case *CaseStep:
			for _, cl := range s.Clauses {
				out = append(out, cl.Comments.Leading...)
				out = appendPipelineComments(out, cl.Pipeline)
				out = append(out, cl.Comments.Trailing...)
			}
			out = append(out, s.EndComments...)
		case *MatchStep:
			for _, cl := range s.Clauses {
				out = append(out, cl.Comments.Leading...)
				out = appendPipelineComments(out, cl.Body)
				out = append(out, cl.Comments.Trailing...)
			}
			out = append(out, s.EndComments...)
		default:
			for _, sq := range subQueries(s) {
				out = appendPipelineComments(out, sq.Pipeline)
			}
		}
		out = append(out, c.Trailing...)
	}
	return append(out, p.EndComments...)
}
