// A virtualised list: only the rows in view exist in the DOM, so ten
// thousand results scroll as smoothly as ten. Rows have one fixed height.

import { h, clear } from "./dom.js";

export class VirtualList {
  constructor({ rowHeight, render, onOpen, label }) {
    this.rowHeight = rowHeight;
    this.render = render;
    this.onOpen = onOpen;
    this.items = [];
    this.selected = -1;
    this.spacer = h("div", { class: "vlist-spacer" });
    this.el = h("div", { class: "vlist", tabindex: "0", role: "listbox", "aria-label": label || "results" }, this.spacer);
    this.el.addEventListener("scroll", () => this.paint());
    this.el.addEventListener("keydown", (e) => this.key(e));
    this.el.addEventListener("click", (e) => {
      const row = e.target.closest(".vrow");
      if (row) this.select(Number(row.dataset.index), true);
    });
    new ResizeObserver(() => this.paint()).observe(this.el);
  }

  setItems(items) {
    this.items = items;
    if (this.selected >= items.length) this.selected = -1;
    this.spacer.style.height = items.length * this.rowHeight + "px";
    this.paint();
  }

  select(i, open) {
    if (i < 0 || i >= this.items.length) return;
    this.selected = i;
    const top = i * this.rowHeight;
    if (top < this.el.scrollTop) this.el.scrollTop = top;
    else if (top + this.rowHeight > this.el.scrollTop + this.el.clientHeight) this.el.scrollTop = top + this.rowHeight - this.el.clientHeight;
    this.paint();
    if (open && this.onOpen) this.onOpen(this.items[i], i);
  }

  key(e) {
    const page = Math.max(1, Math.floor(this.el.clientHeight / this.rowHeight) - 1);
    const moves = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page, j: 1, k: -1 };
    if (e.key in moves) {
      e.preventDefault();
      this.select(Math.max(0, Math.min(this.items.length - 1, (this.selected < 0 ? -1 : this.selected) + moves[e.key])), true);
    } else if (e.key === "Home") {
      e.preventDefault();
      this.select(0, true);
    } else if (e.key === "End") {
      e.preventDefault();
      this.select(this.items.length - 1, true);
    } else if (e.key === "Enter" && this.selected >= 0) {
      this.onOpen && this.onOpen(this.items[this.selected], this.selected);
    }
  }

  paint() {
    const top = this.el.scrollTop;
    const height = this.el.clientHeight || 400;
    const first = Math.max(0, Math.floor(top / this.rowHeight) - 5);
    const last = Math.min(this.items.length, Math.ceil((top + height) / this.rowHeight) + 5);
    clear(this.spacer);
    for (let i = first; i < last; i++) {
      const row = this.render(this.items[i], i);
      row.classList.add("vrow");
      if (i === this.selected) row.classList.add("selected");
      row.setAttribute("role", "option");
      row.setAttribute("aria-selected", i === this.selected ? "true" : "false");
      row.dataset.index = String(i);
      row.style.top = i * this.rowHeight + "px";
      row.style.height = this.rowHeight + "px";
      this.spacer.appendChild(row);
    }
  }
}
