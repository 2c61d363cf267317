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
    var elements = [];
    data.nodes.forEach(function (node) {
      var index = node.year === null ? -1 : data.years.indexOf(node.year);
      elements.push({
        group: "nodes",
        data: {
          id: node.id,
          label: node.label,
          ring: node.ring,
          color: index < 0 ? "#1d1f24" : PALETTE[index % PALETTE.length],
          me: node.id === "me" ? 1 : 0
        }
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
      maxZoom: 3,
      style: [
        {
          selector: "node",
          style: {
            "background-color": "data(color)",
            width: 14,
            height: 14,
            label: showLabels ? "data(label)" : "",
            "font-size": 9,
            color: "#1d1f24",
            "text-valign": "bottom",
            "text-margin-y": 3,
            "text-background-color": "#ffffff",
            "text-background-opacity": 0.8
          }
        },
        { selector: "node[me = 1]", style: { width: 26, height: 26, label: "data(label)", "font-weight": "bold" } },
        { selector: "node:selected", style: { label: "data(label)", "border-width": 3, "border-color": "#1a56c4" } },
        { selector: "edge", style: { width: 1, "line-color": "#b9b4a9", "curve-style": "straight" } }
      ],
      layout: {
        name: "concentric",
        concentric: function (node) { return node.data("ring"); },
        levelWidth: function () { return 1; },
        minNodeSpacing: 6,
        animate: false
      }
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
