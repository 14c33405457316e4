// "Seleziona tutte" on the act page: an external script, so that the CSP needs no inline code.
document.addEventListener("DOMContentLoaded", () => {
  const tutte = document.getElementById("seleziona-tutte");
  if (!tutte) return;
  tutte.addEventListener("change", () => {
    document.querySelectorAll('input[name="domande"]').forEach((box) => { box.checked = tutte.checked; });
  });
});
