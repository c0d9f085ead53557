// Small page helpers, all by event delegation or observation, so they keep working when Gradio re-renders:
// - a field named in its tab's problems list is outlined (the list items read "field: message"), once the person
//   has edited that tab's form or pressed its Run (a required field left empty is not red on first sight);
// - a Copy the browser refuses (a cross-origin <iframe> without clipboard-write, such as Hugging Face's embed
//   snippet, or a page over plain http) selects the text instead and says "press Ctrl+C / ⌘C";
// - a server restart under an open page (its session, and every tab built for it, died with the old process)
//   is said plainly, with a Reload button, instead of Gradio's "Could not parse server response";
// - a clip already in the comparison grid is kept when the grid's HTML is replaced (no second fetch, no restart);
// - the grid's judging state (judging.js: enlarged clips, sound, wipes) is put back whenever the grid changes.
// Gradio's HTML component patches the grid in place (an element at the same place keeps its node), so a clip
// keeps playing through updates as long as clips keep their places; the keeping below covers nodes it replaces.
(() => {
  if (window.seedancePage) return;

  const touched = new Set(); // slugs of the tabs whose form the person edited or ran

  function markProblems(estimate) {
    const slug = estimate.id.replace(/-estimate$/, "");
    const named = touched.has(slug)
      ? new Set([...estimate.querySelectorAll("li code")].map((c) => c.textContent.split(":")[0].trim())) : new Set();
    for (const el of document.querySelectorAll(`[id^="${slug}-"]`)) {
      const rest = el.id.slice(slug.length + 1).replace(/-(upload|url|random)$/, "");
      if (el.id.endsWith("-estimate") || el.id.endsWith("-run")) continue;
      if (el.classList.contains("field-problem") !== named.has(rest)) el.classList.toggle("field-problem", named.has(rest));
    }
  }

  // The tab (its estimate's slug) an element of a form belongs to: the longest slug its nearest id starts with.
  function tabOf(target) {
    const owner = target instanceof Element ? target.closest("[id]") : null;
    if (!owner) return null;
    let best = null;
    for (const estimate of document.querySelectorAll('[id$="-estimate"]')) {
      const slug = estimate.id.replace(/-estimate$/, "");
      if (owner.id.startsWith(`${slug}-`) && (!best || slug.length > best.slug.length)) best = { slug, estimate };
    }
    return best;
  }
  function touch(event) {
    const tab = tabOf(event.target);
    if (!tab || touched.has(tab.slug)) return;
    touched.add(tab.slug);
    markProblems(tab.estimate);
  }
  for (const name of ["input", "change"]) document.addEventListener(name, touch, true);
  document.addEventListener("click", (event) => { if (event.target.closest?.('[id$="-run"]')) touch(event); }, true);

  const kept = new Map(); // clip key → its <video>, loaded once
  function adopt(root) {
    const found = root.matches?.("video[data-clip]") ? [root] : [...(root.querySelectorAll?.("video[data-clip]") ?? [])];
    for (const fresh of found) {
      const old = kept.get(fresh.dataset.clip);
      // the clip already loaded, put back in place of its re-rendered twin — unless it is still on show elsewhere
      // or is another clip now (an extension renumbers a batch's cells, so a key can move to another clip)
      if (old && old !== fresh && !old.isConnected && old.getAttribute("src") === fresh.getAttribute("src")) {
        fresh.replaceWith(old); window.seedanceSyncGrid?.resume(old); continue;
      }
      kept.set(fresh.dataset.clip, fresh);
      fresh.preload = "auto";
      fresh.load();
    }
  }

  new MutationObserver((mutations) => {
    let grid = false;
    for (const m of mutations) {
      for (const node of m.addedNodes) if (node.nodeType === 1) adopt(node);
      const at = m.target.nodeType === 1 ? m.target : m.target.parentElement;
      const estimate = at?.closest('[id$="-estimate"]');
      if (estimate) markProblems(estimate);
      grid ||= Boolean(at?.closest(".cmp-grid")) && !at.closest("[data-sync-time]"); // not the clock's ticks
    }
    if (grid) window.seedanceJudging?.reapply();
  }).observe(document.documentElement, { childList: true, subtree: true, characterData: true, attributes: true,
                                          attributeFilter: ["class", "data-clip"] });

  // -- Copy, where the Clipboard API is refused ----------------------------------------------------------------
  let copyButton = null; // the button of the last click: the Copy whose text this is
  document.addEventListener("click", (event) => { copyButton = event.target.closest?.("button") ?? null; }, true);

  function offerSelected(text) {
    document.getElementById("copy-fallback")?.remove();
    const panel = document.createElement("div");
    panel.id = "copy-fallback";
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", "Copy");
    const said = document.createElement("p");
    said.textContent = "Your browser does not let this page copy here (it is embedded in another site, or not "
      + "on https). The text is selected: press Ctrl+C / ⌘C to copy it.";
    said.setAttribute("aria-live", "polite");
    const box = document.createElement("textarea");
    box.readOnly = true;
    box.value = text;
    box.rows = Math.min(10, text.split("\n").length + 1);
    const close = document.createElement("button");
    close.type = "button";
    close.textContent = "Close";
    const done = () => { panel.remove(); copyButton?.focus?.(); };
    close.addEventListener("click", done);
    panel.addEventListener("keydown", (event) => { if (event.key === "Escape") done(); });
    box.addEventListener("copy", () => { said.textContent = "Copied."; setTimeout(done, 1200); });
    panel.append(said, box, close);
    document.body.append(panel);
    box.focus();
    box.select();
  }

  // Gradio's Copy buttons (code panes, JSON, Markdown code, the API page) all call navigator.clipboard.writeText;
  // a refusal rejects and they show nothing. Their calls go through this one, which offers the text selected.
  // Where there is no Clipboard API at all (plain http), a stand-in refuses every write the same way.
  const refused = () => Promise.reject(new DOMException("The Clipboard API is not available here", "NotAllowedError"));
  const clipboard = navigator.clipboard;
  const write = clipboard?.writeText ? clipboard.writeText.bind(clipboard) : refused;
  const writeText = (text) => write(text).catch((error) => { offerSelected(String(text ?? "")); throw error; });
  try {
    if (clipboard) clipboard.writeText = writeText;
    else Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
  } catch { /* a browser that will not let the page replace it keeps its own behaviour */ }

  // -- A server restart under an open page --------------------------------------------------------------------
  let restarted = false;
  let lastCheck = 0;
  function root() {
    try { return new URL(window.gradio_config?.root || location.href, location.href).pathname.replace(/\/$/, ""); }
    catch { return ""; }
  }
  function sayRestarted() {
    restarted = true;
    document.documentElement.classList.add("app-restarted");
    const notice = document.createElement("div");
    notice.id = "app-restarted";
    notice.setAttribute("role", "alert");
    const said = document.createElement("span");
    said.textContent = "The app restarted: reload this page to go on (runs and votes already recorded are kept).";
    const reload = document.createElement("button");
    reload.type = "button";
    reload.textContent = "Reload";
    reload.addEventListener("click", () => location.reload());
    notice.append(said, reload);
    document.body.append(notice);
  }
  async function checkRestart() {
    const loaded = window.gradio_config?.app_id;
    if (restarted || loaded === undefined || Date.now() - lastCheck < 2000) return;
    lastCheck = Date.now();
    try {
      const answer = await fetch(`${root()}/gradio_api/app_id`, { cache: "no-store" });
      if (!answer.ok) return;
      const { app_id: now } = await answer.json();
      if (now !== undefined && now !== loaded && !restarted) sayRestarted();
    } catch { /* the server is down for now: the next check tells */ }
  }
  // On every press (the event it starts would fail on a restarted server), on coming back to the page, and now
  // and then while it is open.
  document.addEventListener("pointerdown", checkRestart, true);
  document.addEventListener("keydown", checkRestart, true);
  document.addEventListener("visibilitychange", () => { if (!document.hidden) checkRestart(); });
  window.addEventListener("focus", checkRestart);
  setInterval(() => { if (!document.hidden) checkRestart(); }, 30000);

  window.seedancePage = { kept, markProblems, touched, checkRestart };
})();
