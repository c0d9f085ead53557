// Small page helpers, all by event delegation or observation, so they keep working when Gradio re-renders:
// - a field named in its tab's problems list is outlined (the list items read "field: message");
// - a clip already in the comparison grid is kept when the grid's HTML is replaced (no second fetch, no restart);
// - the grid's judging state (judging.js: enlarged clips, sound, wipes) is put back whenever the grid changes.
// Gradio's HTML component patches the grid in place (an element at the same place keeps its node), so a clip
// keeps playing through updates as long as clips keep their places; the keeping below covers nodes it replaces.
(() => {
  if (window.seedancePage) return;

  function markProblems(estimate) {
    const slug = estimate.id.replace(/-estimate$/, "");
    const named = new Set([...estimate.querySelectorAll("li code")].map((c) => c.textContent.split(":")[0].trim()));
    for (const el of document.querySelectorAll(`[id^="${slug}-"]`)) {
      const rest = el.id.slice(slug.length + 1).replace(/-(upload|url|random)$/, "");
      if (el.id.endsWith("-estimate") || el.id.endsWith("-run")) continue;
      el.classList.toggle("field-problem", named.has(rest));
    }
  }

  const kept = new Map(); // clip key → its <video>, loaded once
  function adopt(root) {
    const found = root.matches?.("video[data-clip]") ? [root] : [...(root.querySelectorAll?.("video[data-clip]") ?? [])];
    for (const fresh of found) {
      const old = kept.get(fresh.dataset.clip);
      if (old && old !== fresh) { fresh.replaceWith(old); window.seedanceSyncGrid?.resume(old); continue; }
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

  window.seedancePage = { kept, markProblems };
})();
