// Synchronized playback for the Compare grid: every .sync-group plays, pauses, seeks, loops and changes
// speed as one. The longest clip leads and the others follow it, nudged back whenever they drift more than
// DRIFT seconds. A row whose clips differ in length or frame rate (data-sync="normalised", said on the row)
// keeps every clip at the same fraction of its own length: a shorter clip plays slower by the ratio of the
// lengths. Otherwise clips share plain time and shorter ones hold their last frame. A blind row not yet voted
// on whose clips differ (data-sync="shortest") plays every clip on the shortest one's span in plain time, so
// neither length nor speed tells the clips apart. Event delegation on the document, so it keeps working when
// Gradio replaces the grid's HTML.
(() => {
  if (window.seedanceSyncGrid) return;
  const DRIFT = 0.08;
  const END = 0.04; // a clip is held this far before its end, so its last frame stays shown
  const running = new WeakSet();

  const videos = (group) => [...group.querySelectorAll("video")];
  const length = (v) => (Number.isFinite(v.duration) ? v.duration : 0);
  const shortest = (group) => group.dataset.sync === "shortest";
  const leader = (group) => {
    const all = videos(group);
    if (!shortest(group)) return all.reduce((a, b) => (length(b) > length(a) ? b : a), all[0]);
    const known = all.filter((v) => length(v) > 0);
    return known.length ? known.reduce((a, b) => (length(b) < length(a) ? b : a)) : all[0];
  };
  const looping = (group) => group.querySelector("[data-sync-loop]")?.checked ?? true;
  const normalised = (group) => group.dataset.sync === "normalised";
  const speed = (group) => Number(group.querySelector("[data-sync-speed]")?.value) || 1;

  // Where clip v belongs when the row is at `fraction` of the leader's length.
  function timeOf(group, v, fraction, lead = leader(group), scaled = normalised(group)) {
    const at = scaled ? fraction * length(v) : fraction * length(lead);
    return Math.max(0, Math.min(at, length(v) - END));
  }
  const fractionOf = (group) => {
    const lead = leader(group);
    return lead && length(lead) ? lead.currentTime / length(lead) : 0;
  };

  function rates(group, lead = leader(group)) {
    const scaled = normalised(group);
    const chosen = speed(group);
    for (const v of videos(group)) {
      const scale = scaled && length(lead) && length(v) ? length(v) / length(lead) : 1;
      const rate = chosen * scale;
      if (Math.abs(v.playbackRate - rate) > 1e-3) v.playbackRate = rate;
    }
  }

  function place(group, fraction) {
    const lead = leader(group);
    const scaled = normalised(group);
    for (const v of videos(group)) v.currentTime = timeOf(group, v, fraction, lead, scaled);
  }

  function show(group) {
    const lead = leader(group);
    if (!lead) return;
    const seek = group.querySelector("[data-sync-seek]");
    const label = group.querySelector("[data-sync-time]");
    if (seek && length(lead)) seek.value = String(Math.round(fractionOf(group) * 1000));
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
        else { for (const v of videos(group)) { v.pause(); v.seedancePlaying = false; } }
      }
      rates(group, lead); // the leader, the mode and the speed are read once a frame, not once a clip
      const fraction = length(lead) ? lead.currentTime / length(lead) : 0;
      const scaled = normalised(group);
      for (const v of videos(group)) {
        if (v === lead) continue;
        const target = timeOf(group, v, fraction, lead, scaled);
        if (Math.abs(v.currentTime - target) > DRIFT) v.currentTime = target;
        if (v.paused && target < length(v) - END) v.play();
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
    for (const v of all) { v.loop = false; v.seedancePlaying = true; }
    rates(group);
    place(group, lead.currentTime >= length(lead) - 0.05 ? 0 : fractionOf(group));
    await Promise.allSettled(all.map((v) => v.play()));
    follow(group);
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-sync-action]");
    const group = button?.closest(".sync-group");
    if (!group) return;
    const action = button.dataset.syncAction;
    if (action === "play") play(group);
    if (action === "pause") { for (const v of videos(group)) { v.pause(); v.seedancePlaying = false; } show(group); }
    if (action === "restart") { place(group, 0); play(group); }
  });

  document.addEventListener("input", (event) => {
    const group = event.target.closest(".sync-group");
    if (!group) return;
    if (event.target.matches("[data-sync-seek]")) {
      place(group, Number(event.target.value) / 1000);
      show(group);
    }
    if (event.target.matches("[data-sync-speed]")) rates(group);
  });

  // A clip the page had to move back into a redrawn grid (page.js) stopped when it left the page: go on.
  function resume(video) {
    const group = video.closest(".sync-group");
    if (!video.seedancePlaying || !group) return;
    video.play().catch(() => {});
    follow(group);
  }

  window.seedanceSyncGrid = { play, resume, videos, leader, timeOf, fractionOf };
})();
