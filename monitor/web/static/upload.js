// Reload the uploads page while a photo is still being read (the marker is present only then).
(function () {
  "use strict";
  var marker = document.getElementById("ocr-waiting");
  if (!marker) { return; }
  var seconds = parseInt(marker.getAttribute("data-refresh-seconds") || "3", 10);
  window.setTimeout(function () { window.location.replace(window.location.pathname); }, seconds * 1000);
})();
