// The CQL editor: CodeMirror 6 with a LogScale highlighter, completion of
// function names and parameters from tiercel's catalog, and live
// diagnostics from the server's checker (the same one as `tiercel check`).

import { EditorState } from "@codemirror/state";
import { EditorView, keymap, placeholder, lineNumbers, drawSelection, highlightActiveLine } from "@codemirror/view";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { StreamLanguage, syntaxHighlighting, HighlightStyle, bracketMatching } from "@codemirror/language";
import { tags as t } from "@lezer/highlight";
import { autocompletion, completionKeymap, closeBrackets } from "@codemirror/autocomplete";
import { linter, lintGutter, lintKeymap } from "@codemirror/lint";
import { post, get } from "./api.js";

const keywords = new Set(["case", "match", "and", "or", "not", "in", "like"]);

// cql tokenizes LogScale queries line by line.
const cql = StreamLanguage.define({
  name: "cql",
  startState: () => ({ comment: false }),
  token(stream, state) {
    if (state.comment) {
      if (stream.skipTo("*/")) {
        stream.match("*/");
        state.comment = false;
      } else stream.skipToEnd();
      return "comment";
    }
    if (stream.eatSpace()) return null;
    if (stream.match("//")) {
      stream.skipToEnd();
      return "comment";
    }
    if (stream.match("/*")) {
      state.comment = true;
      return "comment";
    }
    if (stream.match(/^"(?:[^"\\]|\\.)*"?/)) return "string";
    // A regex literal starts a value: after = or ( or , or at the start.
    if (stream.peek() === "/") {
      const before = stream.string.slice(0, stream.pos).trimEnd();
      if (before === "" || /[=(,|!{;:\[]$/.test(before) || /\b(and|or|not)$/.test(before)) {
        if (stream.match(/^\/(?:[^/\\]|\\.)*\/?[gimsx]*/)) return "regexp";
      }
    }
    if (stream.match(/^#[\w.\-:@]+/)) return "tagName";
    if (stream.match(/^@[\w.]+/)) return "variableName.special";
    if (stream.match(/^-?\d+(\.\d+)?\b/)) return "number";
    if (stream.match(/^\?[A-Za-z_]\w*/) || stream.match(/^\$[\w:]+/)) return "meta";
    if (stream.match(/^(:=|=>|<=>|!=|<=|>=|==|=~|[=<>|*!])/)) return "operator";
    const word = stream.match(/^[A-Za-z_][\w.:\[\]\-]*/);
    if (word) {
      const w = word[0];
      if (keywords.has(w.toLowerCase())) return "keyword";
      if (stream.peek() === "(") return "variableName.function";
      return "variableName";
    }
    stream.next();
    return null;
  },
  languageData: { commentTokens: { line: "//", block: { open: "/*", close: "*/" } } },
});

const highlight = HighlightStyle.define([
  { tag: t.comment, class: "tok-comment" },
  { tag: t.string, class: "tok-string" },
  { tag: t.regexp, class: "tok-regexp" },
  { tag: t.tagName, class: "tok-tag" },
  { tag: t.special(t.variableName), class: "tok-special" },
  { tag: t.number, class: "tok-number" },
  { tag: t.meta, class: "tok-meta" },
  { tag: t.operator, class: "tok-operator" },
  { tag: t.keyword, class: "tok-keyword" },
  { tag: t.function(t.variableName), class: "tok-function" },
  { tag: t.variableName, class: "tok-field" },
]);

let catalog = null;
async function functions() {
  if (!catalog) catalog = get("/ui/api/functions").catch(() => []);
  return catalog;
}

// completeCQL offers function names where a word is typed, and the
// function's parameters inside its parentheses.
async function completeCQL(ctx) {
  const word = ctx.matchBefore(/[A-Za-z_][\w:]*/);
  const fns = await functions();
  const before = ctx.state.sliceDoc(Math.max(0, ctx.pos - 400), ctx.pos);
  const open = innermostCall(before);
  if (open && word && /[(,]\s*[A-Za-z_]*$/.test(before)) {
    const spec = fns.find((f) => f.name.toLowerCase() === open.toLowerCase());
    if (spec && spec.params.length) {
      return {
        from: word.from,
        options: spec.params.map((p) => ({
          label: p.name + "=",
          type: "property",
          detail: p.type + (p.required ? " (required)" : p.default ? " = " + p.default : ""),
        })),
      };
    }
  }
  if (!word || (word.from === word.to && !ctx.explicit)) return null;
  return {
    from: word.from,
    options: fns.map((f) => ({
      label: f.name,
      apply: f.name + "(",
      type: "function",
      detail: f.implemented ? "" : "not run by tiercel",
      info: f.description || undefined,
      boost: f.implemented ? 1 : -1,
    })),
    validFor: /^[\w:]*$/,
  };
}

// innermostCall returns the name of the function whose argument list the
// text ends inside, if any.
function innermostCall(text) {
  let depth = 0;
  for (let i = text.length - 1; i >= 0; i--) {
    const c = text[i];
    if (c === ")") depth++;
    else if (c === "(") {
      if (depth === 0) {
        const m = /([A-Za-z_][\w:]*)\s*$/.exec(text.slice(0, i));
        return m ? m[1] : null;
      }
      depth--;
    }
  }
  return null;
}

// checkLinter asks the server's checker; positions are UTF-16 offsets.
const checkLinter = linter(
  async (view) => {
    const query = view.state.doc.toString();
    if (!query.trim()) return [];
    let res;
    try {
      res = await post("/ui/api/check", { query });
    } catch {
      return [];
    }
    const len = view.state.doc.length;
    return res.diagnostics.map((d) => {
      const from = Math.min(d.from, len);
      let to = Math.min(Math.max(d.to, from), len);
      return {
        from,
        to,
        severity: d.severity === "error" ? "error" : d.code.startsWith("dialect-") ? "info" : "warning",
        source: d.code,
        message: d.message + (d.hint ? "\nhint: " + d.hint : ""),
      };
    });
  },
  { delay: 300 },
);

export function createEditor(parent, { doc, onRun, nonce }) {
  const runKey = { key: "Mod-Enter", run: () => (onRun(), true) };
  const runKey2 = { key: "Shift-Enter", run: () => (onRun(), true) };
  return new EditorView({
    parent,
    state: EditorState.create({
      doc: doc || "",
      extensions: [
        EditorView.cspNonce.of(nonce || ""),
        lineNumbers(),
        history(),
        drawSelection(),
        highlightActiveLine(),
        bracketMatching(),
        closeBrackets(),
        cql,
        syntaxHighlighting(highlight),
        autocompletion({ override: [completeCQL] }),
        checkLinter,
        lintGutter(),
        placeholder("CQL query, e.g.  #event_simpleName=DnsRequest DomainName=/shodan/i | table([ComputerName, DomainName])"),
        keymap.of([runKey, runKey2, ...completionKeymap, ...lintKeymap, ...historyKeymap, ...defaultKeymap]),
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({ "aria-label": "CQL query" }),
      ],
    }),
  });
}

// highlightInto renders query text with the same highlighter, read-only.
export function readOnlyEditor(parent, doc, nonce) {
  return new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [EditorView.cspNonce.of(nonce || ""), EditorState.readOnly.of(true), EditorView.editable.of(false), cql, syntaxHighlighting(highlight), EditorView.lineWrapping],
    }),
  });
}
