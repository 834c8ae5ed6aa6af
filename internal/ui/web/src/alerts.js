// The alerts page: filter, group, open one (event, why it fired, process
// tree, a search around it), acknowledge or close with a note, in bulk too.

import { h, clear, fmtTime, toast } from "./dom.js";
import { get, post } from "./api.js";
import { VirtualList } from "./vlist.js";

const ROW_HEIGHT = 30;
const POLL_MS = 5000;

export function alertsPage(root, app) {
  const filters = {
    rule: h("input", { type: "text", placeholder: "rule", "aria-label": "rule", size: 14 }),
    branch: h("input", { type: "text", placeholder: "branch", "aria-label": "branch", size: 14 }),
    host: h("input", { type: "text", placeholder: "host", "aria-label": "host", size: 12 }),
    user: h("input", { type: "text", placeholder: "user", "aria-label": "user", size: 12 }),
    severity: select("severity", ["", "critical", "high", "medium", "low", "informational"]),
    status: select("status", ["", "new", "acknowledged", "closed"]),
    since: select("since", ["", "1h", "24h", "7d", "30d"], { "": "any time" }),
  };
  const groupBy = select("group by", ["", "host", "rule"], { "": "no grouping" });
  const state = { alerts: [], checked: new Set(), open: null, rules: new Map(), timer: null, total: 0 };
  const count = h("span", { class: "status", "aria-live": "polite" });
  const note = h("input", { type: "text", id: "bulk-note", placeholder: "note (optional)", "aria-label": "note", size: 24 });
  const bulkAck = h("button", { id: "bulk-ack", onclick: () => setStatus([...state.checked], "acknowledged", note.value) }, "Acknowledge selected");
  const bulkClose = h("button", { id: "bulk-close", onclick: () => setStatus([...state.checked], "closed", note.value) }, "Close selected");
  const detail = h("aside", { class: "detail alert-detail hidden", id: "alert-detail", "aria-label": "alert" });
  const list = new VirtualList({ rowHeight: ROW_HEIGHT, render: renderRow, onOpen: openAlert, label: "alerts" });

  clear(root).append(
    h("section", { class: "alerts" },
      h("div", { class: "filter-row" }, Object.values(filters), groupBy, h("button", { onclick: () => load() }, "Apply")),
      h("div", { class: "status-row" }, count, h("span", { class: "spacer" }), note, bulkAck, bulkClose),
      h("div", { class: "results-row" }, h("div", { class: "results" }, list.el), detail),
    ),
  );
  for (const el of [...Object.values(filters), groupBy]) el.addEventListener("change", () => load());

  function select(label, values, names) {
    return h("select", { "aria-label": label }, values.map((v) => h("option", { value: v }, (names && names[v]) || (v || "any " + label))));
  }

  async function load(quiet) {
    const q = new URLSearchParams();
    for (const [k, el] of Object.entries(filters)) if (el.value) q.set(k, el.value);
    let res;
    try {
      res = await get("/ui/api/alerts?" + q.toString());
    } catch (e) {
      count.textContent = "Error: " + e.message;
      return;
    }
    if (res.unavailable) {
      count.textContent = "No alert store here: run tiercel serve, or tiercel ui over files to hunt them.";
      return;
    }
    const before = state.alerts.length;
    state.total = res.total;
    state.alerts = group(res.alerts);
    list.setItems(state.alerts);
    const fresh = quiet && res.alerts.length > before ? ` (${res.alerts.length - before} new)` : "";
    count.textContent = `${res.total.toLocaleString()} alert(s)${fresh}`;
    if (state.open) {
      const again = res.alerts.find((a) => a.alert_id === state.open.alert_id);
      if (again && again.status !== state.open.status) openAlert(again);
    }
  }

  // group puts a heading item before each host's or rule's alerts.
  function group(alerts) {
    const key = groupBy.value === "host" ? (a) => a.ComputerName || a.aid || "(unknown host)" : groupBy.value === "rule" ? (a) => a.rule : null;
    if (!key) return alerts;
    const groups = new Map();
    for (const a of alerts) {
      const k = key(a);
      if (!groups.has(k)) groups.set(k, []);
      groups.get(k).push(a);
    }
    const out = [];
    for (const [k, as] of [...groups.entries()].sort((a, b) => b[1].length - a[1].length)) {
      out.push({ heading: k, n: as.length });
      out.push(...as);
    }
    return out;
  }

  function renderRow(a) {
    if (a.heading !== undefined) return h("div", { class: "arow heading" }, h("strong", {}, a.heading), ` — ${a.n} alert(s)`);
    const box = h("input", { type: "checkbox", "aria-label": "select alert", checked: state.checked.has(a.alert_id) });
    box.addEventListener("click", (e) => {
      e.stopPropagation();
      if (box.checked) state.checked.add(a.alert_id);
      else state.checked.delete(a.alert_id);
    });
    return h("div", { class: "arow status-" + a.status },
      box,
      h("span", { class: "sev sev-" + a.severity }, a.severity),
      h("span", { class: "ts" }, fmtTime(a["@timestamp"])),
      h("span", { class: "branch" }, a.DetectionBranch || ""),
      h("span", { class: "host" }, a.ComputerName || a.aid || ""),
      h("span", { class: "what" }, a.CommandLine || a.DomainName || (a.RemoteAddressIP4 ? `${a.ContextProcessName || ""} → ${a.RemoteAddressIP4}:${a.RemotePort || ""}` : "") || a.title),
      h("span", { class: "badge badge-" + a.status }, a.status),
    );
  }

  async function ruleOf(id) {
    if (!state.rules.has(id)) state.rules.set(id, get("/ui/api/rules/" + encodeURIComponent(id)).catch(() => null));
    return state.rules.get(id);
  }

  async function openAlert(a) {
    if (!a || a.heading !== undefined) return;
    state.open = a;
    clear(detail).classList.remove("hidden");
    const ts = Number(a["@timestamp"]);
    const around = new URLSearchParams({
      q: a.aid ? `aid="${a.aid}"` : `ComputerName="${a.ComputerName || ""}"`,
      start: new Date(ts - 5 * 60000).toISOString(),
      end: new Date(ts + 5 * 60000).toISOString(),
    });
    const noteIn = h("input", { type: "text", id: "alert-note", placeholder: "note", "aria-label": "note", value: a.status_note || "" });
    const why = h("div", { class: "why" }, "…");
    const tree = h("div", { class: "tree" }, "Loading the process tree…");
    detail.append(
      h("div", { class: "detail-head" }, h("strong", {}, a.title || a.rule), h("button", { class: "link", onclick: () => detail.classList.add("hidden"), "aria-label": "close" }, "×")),
      h("p", {}, h("span", { class: "sev sev-" + a.severity }, a.severity), " ", h("span", { class: "badge badge-" + a.status, id: "alert-status" }, a.status),
        a.status_by ? ` by ${a.status_by} at ${fmtTime(a.status_at)}` : "", a.status_note ? ` — “${a.status_note}”` : ""),
      h("div", { class: "actions" }, noteIn,
        h("button", { id: "ack", onclick: () => setStatus([a.alert_id], "acknowledged", noteIn.value) }, "Acknowledge"),
        h("button", { id: "close-alert", onclick: () => setStatus([a.alert_id], "closed", noteIn.value) }, "Close"),
        h("button", { onclick: () => setStatus([a.alert_id], "new", noteIn.value) }, "Reopen")),
      h("p", {}, h("a", { href: "#/search?" + around.toString(), id: "around" }, "Events on this host ±5 min"), " · ",
        h("a", { href: "#/rules/" + encodeURIComponent(a.rule) }, "Detection page")),
      h("h3", {}, "Why it fired"), why,
      h("h3", {}, "Event"),
      h("table", { class: "kv" }, Object.entries(a).filter(([k]) => !k.startsWith("status") && k !== "alert_id").map(([k, v]) => h("tr", {}, h("th", {}, k), h("td", {}, k === "@timestamp" ? `${v} (${fmtTime(v)})` : typeof v === "object" ? JSON.stringify(v) : String(v))))),
      h("h3", {}, "Process tree"), tree,
    );
    const rule = await ruleOf(a.rule);
    const br = rule && (rule.branchList || []).find((b) => b.name === a.DetectionBranch);
    clear(why).append(...(br ? [h("p", {}, br.description), h("pre", { class: "cond" }, br.condition || "")] : [h("p", {}, "The rule's branch is not documented.")]));
    if (!a.aid || !a.id) {
      clear(tree).append("The alert carries no Falcon aid/id to look the tree up by.");
      return;
    }
    try {
      const t = await get(`/ui/api/alerts/tree?` + new URLSearchParams({ id: a.id, aid: a.aid, ts: String(ts || 0) }));
      clear(tree);
      if (!t.tree.length) tree.append("No process start for this event in the store.");
      for (const n of t.tree) {
        const row = h("div", { class: "tnode" + (n.focus ? " focus" : "") }, h("span", { class: "img" }, n.image || "?"), " ", h("span", { class: "cmd" }, n.commandLine || ""));
        row.style.paddingLeft = 8 + n.depth * 16 + "px";
        tree.append(row);
      }
    } catch (e) {
      clear(tree).append("Process tree unavailable: " + e.message);
    }
  }

  async function setStatus(ids, status, noteText) {
    if (!ids.length) {
      toast("Select alerts first");
      return;
    }
    try {
      await post("/ui/api/alerts/status", { ids, status, note: noteText || "" });
      toast(`${ids.length} alert(s) ${status}`);
      state.checked.clear();
      if (state.open && ids.includes(state.open.alert_id)) state.open = { ...state.open, status };
      await load();
      if (state.open) {
        const again = state.alerts.find((x) => x.alert_id === state.open.alert_id);
        if (again) openAlert(again);
      }
    } catch (e) {
      toast("Failed: " + e.message, "error");
    }
  }

  load();
  state.timer = setInterval(() => load(true), POLL_MS);
  return () => clearInterval(state.timer);
}
