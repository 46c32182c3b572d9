// admon's own small script (no CDN). Progressive enhancement only: every page works without it.
document.addEventListener("DOMContentLoaded", () => {
  // Confirm destructive or final actions that carry data-confirm="..."
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
  // Show only the fields of the chosen disposal class on the confirm form.
  const kind = document.querySelector("select[name=disposal_kind]");
  if (kind) {
    const sync = () => document.querySelectorAll("[data-disposal]").forEach((box) => {
      box.hidden = box.dataset.disposal !== kind.value;
    });
    kind.addEventListener("change", sync);
    sync();
  }
});
