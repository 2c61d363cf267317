// Draws the attendee's network with cytoscape.js from the JSON the page embeds
// (#network-data). The same people are listed on the page for keyboard and screen readers.
(function () {
  "use strict";
  // Same order as .swatch-0 … .swatch-7 in dashboard.css.
  var PALETTE = ["#8a2b13", "#1a56c4", "#1f6b3a", "#7a4b00", "#6b2d8f", "#0f6b6b", "#a11a5a", "#4a4f5a"];
  var LABEL_LIMIT = 40;

  function draw() {
    var container = document.getElementById("network-graph");
    var source = document.getElementById("network-data");
    if (!container || !source || typeof window.cytoscape !== "function") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var showLabels = data.nodes.length <= LABEL_LIMIT;
    // Rings by the year you first met (the most recent year closest to you); each ring is
    // turned a little against the last so small networks do not line up in a column.
    var RING_GAP = 70;
    var byRing = {};
    data.nodes.forEach(function (node) {
      (byRing[node.ring] = byRing[node.ring] || []).push(node);
    });
    var elements = [];
    Object.keys(byRing).forEach(function (ring) {
      var nodes = byRing[ring];
      var radius = Number(ring) * RING_GAP;
      nodes.forEach(function (node, index) {
        var angle = (2 * Math.PI * index) / nodes.length + Number(ring) * 0.9;
        var yearIndex = node.year === null ? -1 : data.years.indexOf(node.year);
        elements.push({
          group: "nodes",
          data: {
            id: node.id,
            label: node.label,
            color: yearIndex < 0 ? "#1d1f24" : PALETTE[yearIndex % PALETTE.length],
            me: node.id === "me" ? 1 : 0
          },
          position: { x: radius * Math.cos(angle), y: radius * Math.sin(angle) }
        });
      });
    });
    data.edges.forEach(function (edge) {
      elements.push({ group: "edges", data: edge });
    });
    var cy = window.cytoscape({
      container: container,
      elements: elements,
      autoungrabify: true,
      boxSelectionEnabled: false,
      minZoom: 0.2,
      maxZoom: 1.6,
      style: [
        {
          selector: "node",
          style: {
            "background-color": "data(color)",
            width: 14,
            height: 14,
            label: showLabels ? "data(label)" : "",
            "font-size": 10,
            color: "#1d1f24",
            "text-valign": "bottom",
            "text-margin-y": 3,
            "text-background-color": "#ffffff",
            "text-background-opacity": 0.8
          }
        },
        { selector: "node[me = 1]", style: { width: 24, height: 24, label: "data(label)", "font-weight": "bold" } },
        { selector: "node:selected", style: { label: "data(label)", "border-width": 3, "border-color": "#1a56c4" } },
        { selector: "edge", style: { width: 1, "line-color": "#b9b4a9", "curve-style": "straight" } }
      ],
      layout: { name: "preset", fit: true, padding: 24 }
    });
    container.setAttribute("data-ready", "true");
    container.setAttribute("data-nodes", String(cy.nodes().length));
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
