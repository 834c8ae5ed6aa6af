// Detection pages: the list, and each rule rendered like its source page.

import { h, clear, fmtTime, toast } from "./dom.js";
import { get, post } from "./api.js";
import { readOnlyEditor } from "./editor.js";

export async function rulesPage(root) {
  clear(root).append(h("p", {}, "Loading detections…"));
  const rules = await get("/ui/api/rules");
  clear(root).append(
    h("section", { class: "rules" },
      h("h2", {}, "Detections"),
      h("table", { class: "grid" },
        h("thead", {}, h("tr", {}, ["Technique", "Detection", "Severity", "Confidence", "Branches", "Tunings", "Source"].map((c) => h("th", {}, c)))),
        h("tbody", {}, rules.map((r) => h("tr", {},
          h("td", {}, r.technique),
          h("td", {}, h("a", { href: "#/rules/" + encodeURIComponent(r.id) }, r.title)),
          h("td", {}, h("span", { class: "sev sev-" + r.severity }, r.severity)),
          h("td", {}, r.confidence), h("td", {}, r.branches), h("td", {}, r.tunings), h("td", {}, r.origin))))),
    ),
  );
}

const exportNames = { sigma: "Sigma", spl: "Splunk SPL", kql: "Microsoft KQL", esql: "Elastic ES|QL" };

export async function rulePage(root, app, id) {
  clear(root).append(h("p", {}, "Loading…"));
  const r = await get("/ui/api/rules/" + encodeURIComponent(id));
  const queryBox = h("div", { class: "query-view" });
  const testOut = h("div", { class: "tests-out", id: "test-results" }, r.lastTests ? renderTests(r.lastTests) : "");
  const a = r.attack || {};
  const ref = (x) => (x && x.id ? `${x.id} ${x.name}` : "");
  clear(root).append(
    h("article", { class: "rule" },
      h("p", { class: "crumbs" }, h("a", { href: "#/rules" }, "Detections"), " / ", r.id),
      h("h2", {}, r.title),
      h("p", { class: "meta" },
        h("span", { class: "sev sev-" + r.severity }, "severity " + r.severity), " ",
        h("span", { class: "badge" }, "confidence " + r.confidence), " ",
        a.url ? h("a", { href: a.url, rel: "noreferrer", target: "_blank" }, [ref(a.tactic), ref(a.technique), ref(a.subtechnique)].filter(Boolean).join(" › ")) : ""),
      h("div", { class: "actions" },
        h("button", { class: "primary", id: "test-rule", onclick: () => runTests() }, "Test this rule"),
        h("a", { class: "button", href: `/ui/api/rules/${encodeURIComponent(r.id)}/package.zip`, download: "" }, "Download package (.zip)"),
        (r.exports || []).map((f) => h("a", { class: "button", href: `/ui/api/rules/${encodeURIComponent(r.id)}/export/${f}`, download: "" }, `Download ${exportNames[f] || f}`)),
        h("a", { class: "button", href: "#/search?" + new URLSearchParams({ q: r.query, run: "0" }).toString() }, "Open in search")),
      testOut,
      h("h3", {}, "Description"), h("p", {}, r.description),
      h("h3", {}, "Query"), queryBox, h("p", {}, r.summary),
      h("h3", {}, "Detection branches"),
      h("table", { class: "grid" }, h("tbody", {}, (r.branchList || []).map((b) => h("tr", {}, h("th", {}, b.name), h("td", {}, b.eventType), h("td", {}, h("p", {}, b.description), b.condition ? h("pre", { class: "cond" }, b.condition) : ""))))),
      h("h3", {}, "Data sources"), h("ul", {}, (r.dataSources || []).map((d) => h("li", {}, d))),
      h("p", {}, "Event types: ", (r.eventTypes || []).join(", ")),
      h("h3", {}, "False positives and tunings"),
      h("table", { class: "grid" }, h("thead", {}, h("tr", {}, h("th", {}, "Benign source"), h("th", {}, "Advice"), h("th", {}, "Tunings"))),
        h("tbody", {}, (r.falsePositives || []).map((fp) => h("tr", {}, h("td", {}, fp.Text), h("td", {}, fp.Advice), h("td", {}, (fp.Tunings || []).map((t) => tuningBadge(r, t))))))),
      h("h4", {}, "Tunings (off unless switched on with --tuning)"),
      h("ul", {}, (r.tuningList || []).map((t) => h("li", {}, h("code", {}, t.name), ` — ${t.status}: ${t.description}`, t.lookups && t.lookups.length ? ` (lookups: ${t.lookups.join(", ")})` : ""))),
      h("h3", {}, "Attack tests"),
      h("table", { class: "grid", id: "attack-tests" }, h("thead", {}, h("tr", {}, h("th", {}, "Test"), h("th", {}, "Expected signal"), h("th", {}, "Alerts"), h("th", {}, "Last validation"))),
        h("tbody", {}, (r.attackTests || []).map((t) => h("tr", {}, h("td", {}, t.name), h("td", {}, t.expectedSignal), h("td", {}, (t.signals || []).map((s) => h("div", {}, `${s.EventType} → ${s.Branch}`))), h("td", { class: "last-validation", dataset: { test: t.name } }, "not run — see Validation"))))),
      h("h3", {}, "References"), h("ul", {}, (r.references || []).map((u) => h("li", {}, h("a", { href: u, rel: "noreferrer", target: "_blank" }, u)))),
    ),
  );
  readOnlyEditor(queryBox, r.query, app.nonce);
  showLastValidation(r.id);

  async function runTests() {
    clear(testOut).append("Running the rule's tests…");
    try {
      const res = await post(`/ui/api/rules/${encodeURIComponent(r.id)}/test`);
      clear(testOut).append(renderTests(res));
    } catch (e) {
      clear(testOut).append("Error: " + e.message);
      toast(e.message, "error");
    }
  }
}

// showLastValidation fills each attack test's row from the last validation
// report, if one ran for this rule: detected or missed, per platform.
async function showLastValidation(id) {
  let rep;
  try {
    rep = await post("/ui/api/validate?cached=1");
  } catch {
    return;
  }
  if (!rep || rep.rule !== id) return;
  for (const cell of document.querySelectorAll("#attack-tests .last-validation")) {
    const runs = rep.tests.filter((t) => t.name === cell.dataset.test);
    if (!runs.length) continue;
    clear(cell);
    for (const run of runs) {
      const missed = run.signals.filter((s) => s.expected && !s.fired).length;
      const fired = run.signals.some((s) => s.expected && s.fired);
      cell.append(h("div", { class: fired && !missed ? "good" : "bad" }, `${fired && !missed ? "✓ detected" : "✗ missed " + missed} on ${run.platform} (${run.host})`));
    }
  }
}

function tuningBadge(r, name) {
  const t = (r.tuningList || []).find((x) => x.name === name);
  return h("span", { class: "badge" + (t && t.status === "ready" ? " ok" : "") }, name + (t ? ` (${t.status}, off by default)` : ""));
}

function renderTests(run) {
  return h("div", {},
    h("p", { class: run.failed ? "bad" : "good" }, `${run.passed} passed, ${run.failed} failed`, ` — ${fmtTime(Date.parse(run.at))}`),
    h("details", {}, h("summary", {}, "Cases"), h("ul", {}, run.cases.map((c) => h("li", { class: c.passed ? "good" : "bad" }, (c.passed ? "✓ " : "✗ ") + c.name, c.diff ? h("pre", {}, c.diff) : "")))),
  );
}
