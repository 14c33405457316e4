// The budget dashboard's chart: the figures come from a JSON <script> (json_script), never from inline
// code, so the page keeps the Content-Security-Policy "script-src 'self'". The table below the chart
// carries the same figures for those who do not see it.
(function () {
  "use strict";
  var dati = document.getElementById("dati-grafico");
  var tela = document.getElementById("grafico-cruscotto");
  if (!dati || !tela || typeof window.Chart === "undefined") {
    return;
  }
  var serie = JSON.parse(dati.textContent);
  var euro = new Intl.NumberFormat("it-IT", { style: "currency", currency: "EUR", maximumFractionDigits: 0 });
  new window.Chart(tela, {
    type: "bar",
    data: {
      labels: serie.anni,
      datasets: [
        { label: "Risorse regionali", data: serie.risorse, backgroundColor: "#0066cc" },
        { label: "Stima a consuntivo", data: serie.stima, backgroundColor: "#d9364f" },
        { label: "Proiezione", data: serie.proiezione, backgroundColor: "#5c6f82" },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      locale: "it-IT",
      scales: { y: { beginAtZero: true, ticks: { callback: function (v) { return euro.format(v); } } } },
      plugins: {
        tooltip: { callbacks: { label: function (c) { return c.dataset.label + ": " + euro.format(c.parsed.y); } } },
      },
    },
  });
})();
