// The web chat page's script, served as /chat.js so the page's CSP allows no inline script.
const uid = localStorage.getItem("chatrec-user") || "web-" + crypto.randomUUID();
localStorage.setItem("chatrec-user", uid);
const $ = (id) => document.getElementById(id);
// The API signal, the button, and what the log says once the server has accepted it.
const FEEDBACK = [
  ["like", "Like", "You liked"],
  ["dislike", "Not for me", "Not for you:"],
  ["seen", "Seen it", "You've seen"],
  ["more", "More like this", "You asked for more like"],
];
function say(cls, text) {
  const p = document.createElement("p");
  p.className = cls;
  p.textContent = text;
  $("log").append(p);
  return p;
}
function showError(text) {
  const e = $("error");
  e.textContent = text;
  e.hidden = !text;
}
function el(tag, props, ...children) {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
}
function renderInterests(interests) {
  const box = $("interests");
  box.hidden = !interests.length;
  box
    .querySelector("ul")
    .replaceChildren(
      ...interests.map((i) =>
        el("li", { textContent: `${i.label} ${Math.round(i.weight * 100)}%` }),
      ),
    );
}
function card(r) {
  const title = el("h3", {}, r.title);
  if (r.year) title.append(" ", el("span", { className: "year", textContent: `(${r.year})` }));
  const li = el("li", { className: "card" }, title);
  li.dataset.id = r.id;
  if (r.categories && r.categories.length)
    li.append(el("p", { className: "cats", textContent: r.categories.join(", ") }));
  const reasons = el(
    "ul",
    { className: "reasons" },
    ...r.reasons.map((reason) => el("li", { textContent: reason.text })),
  );
  reasons.setAttribute("aria-label", `Why ${r.title}`);
  const actions = el("div", { className: "actions" });
  for (const [signal, label, told] of FEEDBACK) {
    const b = el("button", { type: "button", textContent: label });
    b.setAttribute("aria-label", `${label}: ${r.title}`);
    b.onclick = () => {
      $("t").focus(); // before the buttons are disabled, so focus never falls back to <body>
      send("/v1/feedback", { user: { id: uid }, itemId: r.id, signal }, `${told} ${r.title}`);
    };
    actions.append(b);
  }
  li.append(reasons, actions);
  return li;
}
function render(data) {
  say("bot", data.reply);
  renderInterests(data.interests || []);
  if (!data.recommendations || !data.recommendations.length) return;
  $("recs").hidden = false;
  $("cards").replaceChildren(...data.recommendations.map(card));
  explainList();
}
// Optional LLM prose, streamed after the list is already on screen; withdrawn if the server drops it.
let explaining = 0;
async function explainList() {
  const mine = ++explaining,
    why = $("why");
  why.hidden = true;
  why.textContent = "";
  const show = (text) => {
    if (mine !== explaining) return;
    why.textContent = text || "";
    why.hidden = !text;
  };
  const res = await fetch("/v1/explanations", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ user: { id: uid }, stream: true }),
  }).catch(() => null);
  if (!res || !res.ok || !res.body) return;
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  for (;;) {
    const { value, done } = await reader.read().catch(() => ({ done: true }));
    if (done) return;
    buf += value;
    let end;
    while ((end = buf.indexOf("\n\n")) >= 0) {
      const block = buf.slice(0, end);
      buf = buf.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1],
        data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] || "{}");
      if (event === "text") show(data.text);
      else if (event === "done") show(data.explanation);
    }
  }
}
// One request at a time: while it is in flight the buttons are disabled and the message box is
// read-only (it keeps focus), so a double click cannot act on a stale list.
let busy = false;
function setBusy(on) {
  busy = on;
  $("status").textContent = on ? "Thinking…" : "";
  if (on) $("main").setAttribute("aria-busy", "true");
  else $("main").removeAttribute("aria-busy");
  for (const b of document.querySelectorAll("button")) b.disabled = on;
  $("t").readOnly = on;
}
// Logs `told` (what the person did) only once the server has accepted it; true when it did.
async function send(path, body, told) {
  if (busy) return false;
  showError("");
  setBusy(true);
  try {
    const res = await fetch(path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    }).catch(() => null);
    if (!res) {
      showError(
        "Sorry, I can't reach the bot right now. Please check your connection and try again.",
      );
      return false;
    }
    const data = await res.json().catch(() => ({}));
    if (!res.ok || typeof data.reply !== "string") {
      const wait = res.headers.get("retry-after");
      const reason =
        data.error ||
        (res.ok ? "I could not read the answer" : `the server answered ${res.status}`);
      showError(
        `Sorry, that didn't work: ${reason}.${wait ? ` Please try again in ${wait} s.` : ""}`,
      );
      return false;
    }
    const mine = say("me", told);
    render(data);
    // Bring the exchange to the top of the conversation area, unless it already starts near the top.
    const view = $("main").getBoundingClientRect(),
      at = mine.getBoundingClientRect().top;
    if (at < view.top || at > view.top + view.height / 3) mine.scrollIntoView({ block: "start" });
    return true;
  } finally {
    setBusy(false);
    $("t").focus();
  }
}
$("f").onsubmit = async (e) => {
  e.preventDefault();
  $("t").focus();
  if (busy) return;
  const text = $("t").value.trim();
  if (!text) return showError(`Type a message first, for example: ${$("t").placeholder}`);
  // The text stays in the box until the bot has accepted it, so a refused message can be edited.
  if (await send("/v1/messages", { user: { id: uid }, text }, "You: " + text)) $("t").value = "";
};
