// Loads the current offers after the page has loaded (so they exist only in the rendered DOM).
fetch("/static/offers.json")
  .then(function (r) { return r.json(); })
  .then(function (offers) {
    var box = document.getElementById("offers");
    offers.forEach(function (o) {
      var p = document.createElement("p");
      p.textContent = o.title + "：" + o.text;
      box.appendChild(p);
    });
  });
