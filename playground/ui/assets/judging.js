// Judging tools on the Compare grid, kept as page state (per visitor, per tab) and put back whenever Gradio
// re-renders the grid (page.js calls reapply on every grid change):
// - "Enlarge" turns one clip full width (on a phone, whose grid is one column already, it fills the screen over
//   the page: page.css; "Smaller" or Escape puts it back); it stays in its row's sync;
// - "Sound" turns one clip's sound on or off; "Solo" hears that clip alone in its row (again: all quiet);
// - "Wipe" lays two clips of a row over one another, a divider dragged across shows the left clip on one side
//   and the right clip on the other; both stay in the row's sync (they are the row's own <video> elements);
// - keyChoice reads a vote key pressed in a row (1–9 the clip, 0 a tie, x all bad) for the grid's keydown hook.
(() => {
  if (window.seedanceJudging) return;
  const enlarged = new Set(); // clip keys shown full width
  const heard = new Set(); // clip keys whose sound is on
  const soloed = new Map(); // row id → the clip key heard alone
  const wipes = new Map(); // row id → {a, b, at}: the left and right clip keys, the divider at 0–1

  const rowId = (group) => `${group.closest(".cmp-grid")?.dataset.batch ?? ""}/${group.dataset.row}`;
  const keyOf = (cell) => cell?.querySelector("video[data-clip]")?.dataset.clip;
  const clipKeys = (group) => [...group.querySelectorAll("video[data-clip]")].map((v) => v.dataset.clip);

  function press(button, on, text) {
    if (!button) return;
    if (button.getAttribute("aria-pressed") !== String(on)) button.setAttribute("aria-pressed", String(on));
    if (text !== undefined && button.textContent !== text) button.textContent = text;
  }
  function toggle(element, name, on) {
    if (element && element.classList.contains(name) !== on) element.classList.toggle(name, on);
  }

  function reapplyRow(group) {
    const id = rowId(group);
    const solo = soloed.get(id);
    for (const video of group.querySelectorAll("video[data-clip]")) {
      const key = video.dataset.clip;
      const cell = video.closest(".cmp-cell");
      toggle(cell, "enlarged", enlarged.has(key));
      press(cell.querySelector("[data-enlarge]"), enlarged.has(key), enlarged.has(key) ? "⤡ Smaller" : "⤢ Enlarge");
      video.muted = !heard.has(key);
      press(cell.querySelector("[data-sound]"), heard.has(key), heard.has(key) ? "Sound: on" : "Sound: off");
      press(cell.querySelector("[data-solo]"), solo === key);
    }
    const wipe = wipes.get(id);
    toggle(group, "wiping", Boolean(wipe));
    press(group.querySelector("[data-wipe]"), Boolean(wipe), wipe ? "✕ End wipe" : "◧ Wipe");
    for (const cell of group.querySelectorAll(".cmp-cell")) {
      toggle(cell, "wipe-a", Boolean(wipe) && keyOf(cell) === wipe.a);
      toggle(cell, "wipe-b", Boolean(wipe) && keyOf(cell) === wipe.b);
    }
    if (!wipe) return;
    group.querySelector(".cmp-cells")?.style.setProperty("--wipe", `${(wipe.at * 100).toFixed(2)}%`);
    for (const side of ["a", "b"]) {
      const select = group.querySelector(`[data-wipe-side="${side}"]`);
      if (select && select.value !== wipe[side]) select.value = wipe[side];
    }
  }

  function reapply() {
    for (const group of document.querySelectorAll(".cmp-grid .sync-group")) reapplyRow(group);
  }

  function startWipe(group) {
    const keys = clipKeys(group);
    const pick = (side, fallback) => group.querySelector(`[data-wipe-side="${side}"]`)?.value || fallback;
    if (keys.length < 2) return;
    wipes.set(rowId(group), { a: pick("a", keys[0]), b: pick("b", keys[1]), at: 0.5 });
  }

  function solo(group, key) {
    const id = rowId(group);
    const alone = soloed.get(id) === key;
    for (const other of clipKeys(group)) heard.delete(other);
    if (alone) soloed.delete(id);
    else { soloed.set(id, key); heard.add(key); }
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-enlarge], [data-sound], [data-solo], [data-wipe]");
    const group = button?.closest(".cmp-grid .sync-group");
    if (!group) return;
    const key = keyOf(button.closest(".cmp-cell"));
    if (button.matches("[data-wipe]")) {
      if (wipes.has(rowId(group))) wipes.delete(rowId(group)); else startWipe(group);
    } else if (!key) return;
    else if (button.matches("[data-enlarge]")) { if (enlarged.has(key)) enlarged.delete(key); else enlarged.add(key); }
    else if (button.matches("[data-sound]")) {
      if (heard.has(key)) heard.delete(key); else heard.add(key);
      soloed.delete(rowId(group));
    } else solo(group, key);
    reapplyRow(group);
  });

  // Escape puts enlarged clips back (the way out of the phone's full-screen clip without reaching for a button).
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || !enlarged.size) return;
    enlarged.clear();
    reapply();
  });

  document.addEventListener("change", (event) => {
    const select = event.target.closest("[data-wipe-side]");
    const group = select?.closest(".cmp-grid .sync-group");
    const wipe = group && wipes.get(rowId(group));
    if (!wipe) return;
    wipe[select.dataset.wipeSide] = select.value;
    reapplyRow(group);
  });

  // Dragging anywhere over a wipe moves its divider to the pointer.
  document.addEventListener("pointerdown", (event) => {
    const area = event.target.closest(".sync-group.wiping .cmp-cells");
    if (!area || event.target.closest("button, select, input, kbd")) return;
    const group = area.closest(".sync-group");
    const move = (e) => {
      const box = area.getBoundingClientRect();
      const wipe = wipes.get(rowId(group));
      if (!wipe || !box.width) return;
      wipe.at = Math.min(1, Math.max(0, (e.clientX - box.left) / box.width));
      area.style.setProperty("--wipe", `${(wipe.at * 100).toFixed(2)}%`);
    };
    const stop = () => {
      for (const [name, fn] of [["pointermove", move], ["pointerup", stop], ["pointercancel", stop]]) area.removeEventListener(name, fn);
    };
    area.setPointerCapture?.(event.pointerId);
    area.addEventListener("pointermove", move);
    area.addEventListener("pointerup", stop);
    area.addEventListener("pointercancel", stop);
    move(event);
    event.preventDefault();
  });

  // {row, key} for a vote key pressed inside a row that takes votes, or null (typing elsewhere is left alone).
  function keyChoice(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return null;
    if (event.target.closest("textarea, select, [contenteditable], input:not([type=range]):not([type=checkbox])")) return null;
    const key = event.key.toLowerCase();
    if (!/^[0-9x]$/.test(key)) return null;
    const group = event.target.closest(".sync-group[data-votes]");
    if (!group) return null;
    event.preventDefault();
    return { row: group.dataset.row, key };
  }

  window.seedanceJudging = { reapply, keyChoice, enlarged, heard, soloed, wipes };
})();
