// Synchronized playback for the Compare grid: every .sync-group plays, pauses, seeks, loops and changes
// speed as one. The longest clip leads; the others follow it (shorter ones hold their last frame) and are
// nudged back whenever they drift more than DRIFT seconds. Event delegation on the document, so it keeps
// working when Gradio replaces the grid's HTML.
(() => {
  if (window.seedanceSyncGrid) return;
  const DRIFT = 0.08;
  const running = new WeakSet();

  const videos = (group) => [...group.querySelectorAll("video")];
  const length = (v) => (Number.isFinite(v.duration) ? v.duration : 0);
  const leader = (group) => videos(group).reduce((a, b) => (length(b) > length(a) ? b : a), videos(group)[0]);
  const looping = (group) => group.querySelector("[data-sync-loop]")?.checked ?? true;

  function place(group, time) {
    for (const v of videos(group)) v.currentTime = Math.min(time, Math.max(0, length(v) - 0.04));
  }

  function show(group) {
    const lead = leader(group);
    if (!lead) return;
    const seek = group.querySelector("[data-sync-seek]");
    const label = group.querySelector("[data-sync-time]");
    if (seek && length(lead)) seek.value = String(Math.round((lead.currentTime / length(lead)) * 1000));
    if (label) label.textContent = `${lead.currentTime.toFixed(2)} s`;
  }

  function follow(group) {
    if (running.has(group)) return;
    running.add(group);
    const tick = () => {
      const lead = leader(group);
      if (!lead || lead.paused || !group.isConnected) { running.delete(group); show(group); return; }
      if (length(lead) && lead.currentTime >= length(lead) - 0.05) {
        if (looping(group)) { place(group, 0); for (const v of videos(group)) v.play(); }
        else { for (const v of videos(group)) v.pause(); }
      }
      for (const v of videos(group)) {
        if (v === lead) continue;
        const target = Math.min(lead.currentTime, Math.max(0, length(v) - 0.04));
        if (Math.abs(v.currentTime - target) > DRIFT) v.currentTime = target;
        if (v.paused && lead.currentTime < length(v)) v.play();
      }
      show(group);
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }

  async function play(group) {
    const all = videos(group);
    const lead = leader(group);
    if (!lead) return;
    for (const v of all) v.loop = false;
    place(group, lead.currentTime >= length(lead) - 0.05 ? 0 : lead.currentTime);
    await Promise.allSettled(all.map((v) => v.play()));
    follow(group);
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-sync-action]");
    const group = button?.closest(".sync-group");
    if (!group) return;
    const action = button.dataset.syncAction;
    if (action === "play") play(group);
    if (action === "pause") { for (const v of videos(group)) v.pause(); show(group); }
    if (action === "restart") { place(group, 0); play(group); }
  });

  document.addEventListener("input", (event) => {
    const group = event.target.closest(".sync-group");
    if (!group) return;
    if (event.target.matches("[data-sync-seek]")) {
      const lead = leader(group);
      if (lead && length(lead)) place(group, (Number(event.target.value) / 1000) * length(lead));
      show(group);
    }
    if (event.target.matches("[data-sync-speed]")) {
      for (const v of videos(group)) v.playbackRate = Number(event.target.value);
    }
  });

  window.seedanceSyncGrid = { play, videos, leader };
})();
