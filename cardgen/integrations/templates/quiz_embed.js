"use strict";
(function (root) {
  // One chapter's quiz: everything is looked up inside its own element, so a page may hold
  // several (mdBook's print page holds every chapter's). Texts from the chapter are put into
  // the page with createTextNode/textContent only, and only these tags are ever made.
  if (!root || root.getAttribute("data-cgq-ready")) return;
  root.setAttribute("data-cgq-ready", "1");
  const TAGS = new Set(["span", "b", "strong", "em", "i", "code", "pre", "img", "br", "sub", "sup"]);
  const raw = atob(root.querySelector("script.cgq-answers").textContent.trim());
  const bytes = Uint8Array.from(raw, function (c) { return c.charCodeAt(0); });
  const answers = JSON.parse(new TextDecoder().decode(bytes));
  const sections = new Map();
  for (const section of root.querySelectorAll("section.cgq-question")) {
    sections.set(section.getAttribute("data-qid"), section);
  }
  const scored = new Map();  // id -> points earned at the first check; never changed after
  const total = answers.reduce(function (sum, a) { return sum + a.points; }, 0);
  const scoreBar = root.querySelector(".cgq-score");
  const final = root.querySelector(".cgq-final");
  const retry = root.querySelector(".cgq-retry");
  function build(node) {
    if (typeof node === "string") return document.createTextNode(node);
    const tag = TAGS.has(node[0]) ? node[0] : "span";
    const el = document.createElement(tag);
    const attrs = node[1] || {};
    if (typeof attrs["class"] === "string") el.className = attrs["class"];
    if (tag === "img") {
      el.alt = typeof attrs.alt === "string" ? attrs.alt : "";
      if (typeof attrs.src === "string" && attrs.src.startsWith("data:image/")) el.src = attrs.src;
    }
    for (const child of node.slice(2)) el.appendChild(build(child));
    return el;
  }
  function text(tag, className, content) {
    const el = document.createElement(tag);
    if (className) el.className = className;
    el.textContent = content;
    return el;
  }
  function norm(s) {
    return s.toLowerCase().replace(/[`\s]/g, "").replace(/\(\)$/, "");
  }
  // Points earned (0 … points), or null when the question is not answered yet.
  function judge(form, a) {
    if (a.kind === "fill_in") {
      const v = form.elements.answer.value;
      if (!v.trim()) return null;
      return a.accepted.some(function (x) { return norm(x) === norm(v); }) ? a.points : 0;
    }
    if (a.kind === "matching" || a.kind === "ordering") {
      const selects = Array.from(form.querySelectorAll("select"));
      if (selects.some(function (s) { return s.value === ""; })) return null;
      const right = selects.filter(function (s, i) { return Number(s.value) === a.expected[i]; });
      if (a.kind === "matching") return right.length;
      return right.length === selects.length ? a.points : 0;
    }
    const picked = form.querySelector("input[type=radio]:checked");
    if (!picked) return null;
    return Number(picked.value) === a.expected ? a.points : 0;
  }
  function counted(n, word) {
    return n + " " + word + (n === 1 ? "" : "s");
  }
  function showScore() {
    let earned = 0;
    let possible = 0;
    for (const a of answers) {
      if (scored.has(a.id)) {
        earned += scored.get(a.id);
        possible += a.points;
      }
    }
    scoreBar.textContent = "Score: " + earned + " of " + counted(possible, "point") + " · " +
      scored.size + " of " + counted(answers.length, "question") + " checked";
    const wrong = answers.filter(function (a) { return scored.has(a.id) && scored.get(a.id) < a.points; });
    retry.disabled = wrong.length === 0;
    if (scored.size === answers.length) {
      final.textContent = "Final score: " + earned + " of " + counted(total, "point") + ". " +
        (wrong.length ? wrong.length + " question(s) to go over again." : "All right.");
    } else {
      final.textContent = "Checked " + scored.size + " of " + counted(answers.length, "question") +
        "; your score so far is " + earned + " of " + counted(possible, "point") + ".";
    }
  }
  function feedback(section, a, earned, practice) {
    const box = section.querySelector(".cgq-feedback");
    box.replaceChildren();
    const full = earned === a.points;
    let verdict = full ? "✔ Right" : earned > 0 ? "✘ Partly right (" + earned + " of " + counted(a.points, "point") + ")" : "✘ Not right";
    if (practice) verdict += full ? " this time (practice: your score stays as it was)" : " (practice: your score stays as it was)";
    const line = document.createElement("p");
    line.appendChild(text("span", "cgq-verdict", verdict));
    line.appendChild(document.createTextNode(" — the answer: "));
    line.appendChild(build(a.answer));
    box.appendChild(line);
    const why = document.createElement("p");
    why.className = "cgq-explanation";
    why.appendChild(text("span", "cgq-sr", "Why: "));
    why.appendChild(build(a.explanation));
    box.appendChild(why);
    if (a.evidence) box.appendChild(text("p", "cgq-evidence", a.evidence));
    box.appendChild(text("p", "cgq-source", "Chapter: " + a.source));
    box.hidden = false;
    if (!practice) {
      section.classList.toggle("cgq-right", full);
      section.classList.toggle("cgq-wrong", !full);
    }
  }
  function lock(section, locked) {
    section.querySelector("fieldset").disabled = locked;
    const button = section.querySelector("button.cgq-check");
    button.disabled = locked;
    button.hidden = locked;
  }
  for (const a of answers) {
    const section = sections.get(a.id);
    if (!section) continue;
    const form = section.querySelector("form");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (section.querySelector("fieldset").disabled) return;
      const earned = judge(form, a);
      const box = section.querySelector(".cgq-feedback");
      if (earned === null) {
        box.replaceChildren(text("p", "cgq-verdict", "Answer first, then check."));
        box.hidden = false;
        return;
      }
      const practice = scored.has(a.id);
      if (!practice) scored.set(a.id, earned);
      lock(section, true);
      section.classList.remove("cgq-retry");
      feedback(section, a, earned, practice);
      showScore();
      box.focus({ preventScroll: false });
    });
  }
  retry.addEventListener("click", function () {
    let first = null;
    for (const a of answers) {
      if (!scored.has(a.id) || scored.get(a.id) >= a.points) continue;
      const section = sections.get(a.id);
      if (!section) continue;
      section.querySelector("form").reset();
      lock(section, false);
      section.classList.add("cgq-retry");
      const box = section.querySelector(".cgq-feedback");
      box.replaceChildren(text("p", "cgq-verdict", "Practice: answer again, then check. Your score stays as it was."));
      first = first || section.querySelector("input, select");
    }
    if (first) first.focus();
  });
  // The score stays in sight at the foot of the window while the quiz is on screen (a
  // book's page scrolls inside elements that defeat `position: sticky`).
  const dock = root.querySelector(".cgq-score-dock");
  function place() {
    const quiz = root.getBoundingClientRect();
    const height = scoreBar.offsetHeight;
    const below = dock.getBoundingClientRect().top + height > window.innerHeight;
    const float = below && quiz.top < window.innerHeight - 3 * height && quiz.bottom > 0;
    if (float) {
      dock.style.minHeight = height + "px";
      scoreBar.style.left = quiz.left + "px";
      scoreBar.style.width = quiz.width + "px";
    } else {
      dock.style.minHeight = "";
      scoreBar.style.left = "";
      scoreBar.style.width = "";
    }
    scoreBar.classList.toggle("cgq-float", float);
  }
  document.addEventListener("scroll", place, { passive: true, capture: true });
  window.addEventListener("resize", place);
  document.addEventListener("transitionend", place, true);  // a sidebar that slid in or out
  if (window.ResizeObserver) new ResizeObserver(place).observe(root);
  showScore();
  place();
})(document.currentScript && document.currentScript.closest(".cardgen-quiz"));
