// Self-check: records script errors and images that did not load into #selfcheck, so a
// headless browser (tests/report_chromium.rs) can tell that the page rendered whole.
(function () {
  var problems = [];
  window.addEventListener("error", function (e) {
    var t = e.target;
    if (t && t !== window && t.tagName) {
      problems.push("failed to load " + t.tagName.toLowerCase() + ": " + (t.getAttribute("src") || ""));
    } else {
      problems.push("script error: " + (e.message || "unknown"));
    }
  }, true);
  window.addEventListener("load", function () {
    var imgs = document.images, broken = 0;
    for (var i = 0; i < imgs.length; i++) {
      if (!imgs[i].complete || imgs[i].naturalWidth === 0) {
        broken++;
        problems.push("broken image: " + imgs[i].getAttribute("src"));
      }
    }
    var box = document.getElementById("selfcheck");
    if (!box) return;
    box.setAttribute("data-images", String(imgs.length));
    box.setAttribute("data-broken", String(broken));
    box.setAttribute("data-problems", String(problems.length));
    box.textContent = problems.join("\n");
    box.setAttribute("data-done", "1");
  });
})();
