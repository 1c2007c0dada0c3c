// The shopper's screen. The kiosk process owns all state: this page draws the newest frame,
// renders the state snapshot it is sent, and sends taps back as JSON commands.
"use strict";
(() => {
  const S = window.MARAYA_STRINGS;
  const $ = (id) => document.getElementById(id);
  const HEADER_BYTES = 16; // <IId: seq, flags, capture ms — see kiosk/app/framehub.py
  const TOKEN_KEY = "maraya.token";

  // The kiosk's per-launch secret (kiosk/app/localguard.py) comes once, in the launch URL. It
  // is kept for this tab only and taken out of the address bar, so it is in neither history
  // nor a screenshot; the server refuses frames, state and commands to anyone without it.
  const token = (() => {
    const params = new URLSearchParams(location.search);
    const given = params.get("token");
    if (given) {
      sessionStorage.setItem(TOKEN_KEY, given);
      params.delete("token");
      const query = params.toString();
      history.replaceState(null, "", location.pathname + (query ? `?${query}` : "") + location.hash);
    }
    return sessionStorage.getItem(TOKEN_KEY) || "";
  })();
  const api = (path) => fetch(path, { headers: { Authorization: `Bearer ${token}` }, cache: "no-store" });

  let ws = null;
  let state = null;
  let config = null; // the kiosk's rules for this page: the commands it takes, the tone choices
  let catalogue = null;
  let activeKind = null;
  let activeProduct = null;
  let toneEditing = false;
  let placing = null; // furniture the shopper picked and is about to place: {product_id, variant}
  let photoRound = null; // the pick (kiosk/app/photo.py) whose photo the summary shows or waits for
  let shownError = null; // the error code on screen, if any
  let errorTimer = null;
  const ERROR_SHOWN_MS = 6000;
  const stats = { received: 0, drawn: 0, lastSeq: -1, since: performance.now() };
  window.__maraya = { stats, send, get state() { return state; } };

  const t = (key, lang) => (S[lang || (state && state.lang) || "ar"] || S.ar)[key] || key;
  const nameOf = (obj) => (state && state.lang === "en" ? obj.name_en : obj.name_ar);

  function send(cmd) {
    const wrong = config && commandProblem(cmd);
    if (wrong) { console.error("page bug, not sent:", wrong, cmd); return; }
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(cmd));
    else showError("connection_lost", true);
  }

  // A command the kiosk would refuse for its shape (kiosk/app/commands.py sends the schema): a
  // bug in this page, caught here by name instead of as a vague "bad_input" from the kiosk.
  function commandProblem(cmd) {
    const schema = config.commands[cmd.cmd];
    if (!schema) return `unknown command ${cmd.cmd}`;
    const unknown = Object.keys(cmd).filter((k) => !(k in schema.properties));
    if (unknown.length) return `${cmd.cmd} has no field ${unknown.join(", ")}`;
    const missing = (schema.required || []).filter((k) => !(k in cmd));
    return missing.length ? `${cmd.cmd} needs ${missing.join(", ")}` : null;
  }

  // What the kiosk could not do, said kindly in the shopper's language: the server sends a
  // stable code (kiosk/app/commands.py ERROR_CODES), never its own words. It goes by itself,
  // except a lost connection, which stays until the page is connected again.
  function showError(code, sticky) {
    shownError = code;
    clearTimeout(errorTimer);
    if (!sticky) errorTimer = setTimeout(() => hideError(code), ERROR_SHOWN_MS);
    renderError();
  }
  function hideError(code) {
    if (shownError !== code) return;
    shownError = null;
    renderError();
  }
  function renderError() {
    const toast = $("error-toast");
    toast.hidden = !shownError;
    if (!shownError) return;
    const key = `error_${shownError}`;
    toast.dataset.code = shownError;
    toast.textContent = t(key) === key ? t("error_internal") : t(key);
  }

  // ---- frames: draw only the newest; a frame that arrives while one decodes replaces the pending one
  const canvas = $("video");
  const ctx = canvas.getContext("2d");
  let decoding = false;
  let pending = null;
  async function drawFrame(buf) {
    if (decoding) { pending = buf; return; }
    decoding = true;
    try {
      let next = buf;
      while (next) {
        pending = null;
        const bitmap = await createImageBitmap(new Blob([next.slice(HEADER_BYTES)], { type: "image/jpeg" }));
        if (canvas.width !== bitmap.width) canvas.width = bitmap.width;
        if (canvas.height !== bitmap.height) canvas.height = bitmap.height;
        ctx.drawImage(bitmap, 0, 0);
        bitmap.close();
        stats.drawn += 1;
        next = pending;
      }
    } catch (err) {
      console.warn("frame dropped", err);
    } finally {
      decoding = false;
    }
  }

  function connect() {
    ws = new WebSocket(`ws://${location.host}/ws`, ["maraya", `maraya.token.${token}`]);
    ws.binaryType = "arraybuffer";
    ws.onopen = () => hideError("connection_lost");
    ws.onmessage = (ev) => {
      if (typeof ev.data === "string") {
        const msg = JSON.parse(ev.data);
        if (msg.type === "config") {
          config = msg.config; // always before the first state
          restIntensity();
        }
        else if (msg.type === "state") applyState(msg.state);
        else if (msg.type === "error") {
          console.warn("kiosk:", msg.code, msg.message); // the detail, for whoever debugs
          showError(msg.code);
        }
        return;
      }
      stats.received += 1;
      stats.lastSeq = new DataView(ev.data).getUint32(0, true);
      ws.send(`{"ack":${stats.lastSeq}}`); // flow control: the kiosk sends the next frame on this
      drawFrame(ev.data);
    };
    ws.onclose = async () => {
      // A kiosk restarted with a new secret refuses this tab for good: say so, stop knocking.
      const res = await api("/api/state").catch(() => null);
      if (res && res.status === 401) locked();
      else {
        showError("connection_lost", true);
        setTimeout(connect, 1000);
      }
    };
  }

  async function loadCatalogue() {
    const res = await api("/api/catalogue");
    if (!res.ok) throw Object.assign(new Error(`catalogue: HTTP ${res.status}`), { status: res.status });
    catalogue = await res.json();
    activeKind = catalogue.kinds.length ? catalogue.kinds[0].id : null;
  }

  // ---- rendering the state ---------------------------------------------------------------
  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function translate() {
    const lang = state.lang;
    const other = lang === "ar" ? "en" : "ar";
    document.documentElement.lang = lang;
    document.documentElement.dir = lang === "ar" ? "rtl" : "ltr";
    document.querySelectorAll("[data-i18n]").forEach((n) => { n.textContent = t(n.dataset.i18n); });
    document.querySelectorAll("[data-i18n-other]").forEach((n) => {
      n.textContent = t(n.dataset.i18nOther, other);
      n.lang = other;
      n.dir = other === "ar" ? "rtl" : "ltr";
    });
    document.querySelectorAll("[data-i18n-placeholder]").forEach((n) => { n.placeholder = t(n.dataset.i18nPlaceholder); });
    document.querySelectorAll("[data-i18n-aria]").forEach((n) => { n.setAttribute("aria-label", t(n.dataset.i18nAria)); });
    const toggle = $("lang-toggle");
    toggle.textContent = lang === "ar" ? "English" : "العربية";
    toggle.lang = other;
  }

  function applyState(next) {
    if (catalogue && next.catalogue_version !== catalogue.version) {
      loadCatalogue().then(() => applyState(next)); // the store's catalogue changed between shoppers
      return;
    }
    const langChanged = !state || state.lang !== next.lang;
    const phaseChanged = !state || state.phase !== next.phase;
    state = next;
    document.body.dataset.phase = state.phase;
    if (langChanged) { translate(); renderError(); }
    if (phaseChanged) {
      photoRound = null;
      clearPhoto();
      toneEditing = false;
      activeProduct = null;
      if (catalogue && catalogue.kinds.length) activeKind = catalogue.kinds[0].id;
      placing = null;
      if (state.phase === "attract") forgetShopper();
    }
    renderStatus();
    $("forgotten-note").hidden = state.notice !== "forgotten";
    renderHelp();
    renderModes();
    if (state.phase === "makeup" && catalogue) renderMakeup();
    if (state.phase === "furniture" && catalogue) renderFurniture();
    if (state.phase === "summary" && catalogue) renderSummary();
    renderAssistant();
    $("help-btn").disabled = !!(state.session && state.session.help && state.session.help.status !== "failed");
  }

  // The page keeps nothing about the last shopper either: ticks, typed text, the QR.
  function forgetShopper() {
    $("share-tone").checked = false;
    $("include-photo").checked = false;
    $("ask-input").value = "";
    $("assistant-reply").textContent = "";
    if ($("qr").src.startsWith("blob:")) URL.revokeObjectURL($("qr").src);
    $("qr").removeAttribute("src");
    delete $("qr").dataset.code;
    restIntensity();
    $("split").value = 50;
  }

  // Before a shade is on, the slider shows the intensity one will go on at (the kiosk's rule).
  function restIntensity() {
    $("intensity").value = Math.round(config.default_intensity * 100);
  }

  function renderStatus() {
    const codes = Object.values(state.status || {}).filter(Boolean);
    const banner = $("status-banner");
    banner.hidden = codes.length === 0;
    banner.textContent = codes.map((c) => t(`status_${c}`)).join(" · ");
  }

  function renderHelp() {
    const help = state.session && state.session.help;
    const banner = $("help-banner");
    banner.hidden = !help;
    if (help) { banner.textContent = t(`help_${help.status}`); banner.dataset.status = help.status; }
  }

  function renderModes() {
    const box = $("mode-buttons");
    box.replaceChildren(...state.modes.map((m) => {
      const b = el("button", "btn btn-primary btn-big", t(`mode_${m}`));
      b.onclick = () => send({ cmd: "mode", mode: m });
      return b;
    }));
  }

  function productById(id) { return catalogue.products.find((p) => p.id === id); }
  const GRADE_LABEL = { close: "recommended", near: "rec_near", none: "rec_nearest" };

  // No close foundation match in stock (or a closer shade sold out): say so and offer staff.
  function renderShadeNote(recs) {
    const foundation = recs.filter((r) => r.grade && (shadeBySku(r.sku)[0] || {}).kind === "foundation");
    const lines = [];
    if (foundation.length && !foundation.some((r) => r.grade === "close")) lines.push(t("no_close_match"));
    recs.filter((r) => r.closer_out_of_stock).forEach((r) => {
      const gone = shadeBySku(r.closer_out_of_stock)[1];
      const next = shadeBySku(r.sku)[1];
      lines.push(t("closer_sold_out").replace("{name}", gone ? nameOf(gone) : r.closer_out_of_stock)
        .replace("{next}", next ? nameOf(next) : r.sku));
    });
    $("shade-note").hidden = lines.length === 0;
    if (lines.length) $("shade-note-text").textContent = `${lines.join(" ")} ${t("shade_staff_offer")}`;
  }

  function shadeBySku(sku) {
    for (const p of catalogue.products) for (const s of p.shades) if (s.sku === sku) return [p, s];
    for (const p of catalogue.furniture) for (const v of p.variants) if (v.sku === sku) return [p, { ...v, colors: [v.hex] }];
    return [null, null];
  }
  const furnitureById = (id) => catalogue.furniture.find((p) => p.id === id);

  function renderFurniture() {
    const session = state.session;
    const selected = session.selected === null ? null : session.placements[session.selected];
    const hint = $("f-hint");
    if (placing) hint.textContent = t("tap_to_place") + nameOf(furnitureById(placing.product_id));
    else hint.textContent = selected ? t("drag_to_move") : t("pick_item");
    $("f-items").replaceChildren(...catalogue.furniture.map((p) => {
      const b = el("button", `chip product${placing && placing.product_id === p.id ? " active" : ""}`);
      b.dataset.product = p.id;
      const dims = p.dimensions_m ? p.dimensions_m.map((d) => d.toFixed(2)).join(" × ") + " " + t("metres") : "";
      b.append(el("strong", "", nameOf(p)), el("small", "", `${p.price} ${t("currency")} · ${dims}`));
      b.title = t("dimensions");
      b.onclick = () => {
        placing = { product_id: p.id, variant: p.variants[0].sku };
        if (session.selected !== null) send({ cmd: "f_select", index: null }); else { renderFurniture(); send({ cmd: "touch" }); }
      };
      return b;
    }));
    const target = placing ? furnitureById(placing.product_id) : selected ? furnitureById(selected.product_id) : null;
    const activeVariant = placing ? placing.variant : selected ? selected.variant : null;
    $("f-variants").replaceChildren(...(target ? target.variants : []).map((v) => {
      const b = el("button", `variant${v.sku === activeVariant ? " active" : ""}`);
      b.dataset.sku = v.sku;
      b.style.background = v.hex;
      b.title = nameOf(v);
      b.onclick = () => {
        if (placing) { placing.variant = v.sku; renderFurniture(); send({ cmd: "touch" }); }
        else send({ cmd: "f_variant", variant: v.sku });
      };
      return b;
    }));
    $("f-placed").replaceChildren(...session.placements.map((pl, i) => {
      const p = furnitureById(pl.product_id);
      const b = el("button", `chip${i === session.selected ? " active" : ""}`, p ? nameOf(p) : pl.product_id);
      b.dataset.index = i;
      b.onclick = () => { placing = null; send({ cmd: "f_select", index: i === session.selected ? null : i }); };
      return b;
    }));
    ["f-rot-left", "f-rot-right", "f-remove"].forEach((id) => { $(id).disabled = !selected; });
    const inBasket = selected && session.basket.some((b) => b.sku === selected.variant);
    $("f-basket-btn").disabled = !selected || inBasket;
    $("f-basket-btn").textContent = inBasket ? t("added") : t("add_to_basket");
    $("f-basket-count").textContent = session.basket.length;
  }

  // Where on the frame a tap landed, as fractions of the frame (the canvas shows it object-fit: cover).
  function frameFraction(ev) {
    const rect = canvas.getBoundingClientRect();
    const scale = Math.max(rect.width / canvas.width, rect.height / canvas.height);
    const u = (ev.clientX - rect.left - (rect.width - canvas.width * scale) / 2) / (canvas.width * scale);
    const v = (ev.clientY - rect.top - (rect.height - canvas.height * scale) / 2) / (canvas.height * scale);
    return [Math.min(1, Math.max(0, u)), Math.min(1, Math.max(0, v))];
  }
  let dragging = false;
  let lastMove = 0;
  canvas.addEventListener("pointerdown", (ev) => {
    if (!state || state.phase !== "furniture") return;
    const [u, v] = frameFraction(ev);
    if (placing) {
      send({ cmd: "f_tap", action: "place", u, v, product_id: placing.product_id, variant: placing.variant });
      placing = null;
    } else if (state.session.selected !== null) {
      dragging = true;
      canvas.setPointerCapture(ev.pointerId);
      send({ cmd: "f_tap", action: "move", index: state.session.selected, u, v });
    }
  });
  canvas.addEventListener("pointermove", (ev) => {
    const now = performance.now();
    if (!dragging || now - lastMove < 80) return; // ~12 moves a second is smooth enough
    lastMove = now;
    const [u, v] = frameFraction(ev);
    send({ cmd: "f_tap", action: "move", index: state.session.selected, u, v });
  });
  canvas.addEventListener("pointerup", (ev) => {
    if (!dragging) return;
    dragging = false;
    // Where the finger lifts is where the piece goes, even if the last moves were throttled.
    const [u, v] = frameFraction(ev);
    send({ cmd: "f_tap", action: "move", index: state.session.selected, u, v });
  });
  function swatchStyle(node, colors) {
    node.style.background = colors.length > 1 ? `linear-gradient(135deg, ${colors.join(", ")})` : colors[0];
  }

  function renderMakeup() {
    const session = state.session;
    const selections = session.selections;
    // presets
    $("presets").replaceChildren(...catalogue.presets.map((p) => {
      const b = el("button", "chip preset");
      const dots = el("span", "dots");
      p.swatches.forEach((hex) => { const d = el("span", "dot"); d.style.background = hex; dots.append(d); });
      b.append(dots, el("span", "", nameOf(p)));
      b.onclick = () => send({ cmd: "preset", id: p.id });
      return b;
    }));
    // tone + recommendations
    const tone = session.tone_override || session.tone;
    $("tone-row").hidden = !tone;
    if (tone) {
      $("tone-swatch").style.background = config.mst_swatches[tone.mst - 1];
      $("tone-text").textContent = `${t("tone_seen")} ${t("depth")} ${tone.mst}/${config.mst_swatches.length} · ${t(`undertone_${tone.undertone}`)}`;
      $("tone-editor").hidden = !toneEditing;
      $("mst-value").textContent = tone.mst;
      const under = $("tone-editor").querySelector(".undertones");
      under.replaceChildren(...config.undertones.map((u) => {
        const b = el("button", `btn btn-small${u === tone.undertone ? " active" : ""}`, t(`undertone_${u}`));
        b.onclick = () => send({ cmd: "tone", mst: tone.mst, undertone: u });
        return b;
      }));
    }
    const recs = session.recommendations || [];
    $("recs").hidden = recs.length === 0;
    $("recs").replaceChildren(...recs.map((r) => {
      const [p, s] = shadeBySku(r.sku);
      const b = el("button", "chip rec");
      const sw = el("span", "dot big"); if (s) swatchStyle(sw, s.colors);
      const text = el("span", "rec-text");
      // a poor complexion match is labelled for what it is, never "for you"
      const label = t(GRADE_LABEL[r.grade] || "recommended");
      b.dataset.grade = r.grade || "";
      text.append(el("strong", "", `${label}: ${p ? nameOf(p) : ""} · ${s ? nameOf(s) : r.sku}`),
        el("small", "", state.lang === "en" ? r.reason_en : r.reason_ar));
      b.append(sw, text);
      b.onclick = () => send({ cmd: "rec_accept", sku: r.sku });
      return b;
    }));
    renderShadeNote(recs);
    // kinds
    $("kinds").replaceChildren(...catalogue.kinds.map((k) => {
      const b = el("button", `tab${k.id === activeKind ? " active" : ""}${selections[k.id] ? " applied" : ""}`, nameOf(k));
      b.dataset.kind = k.id;
      b.onclick = () => { activeKind = k.id; activeProduct = null; renderMakeup(); send({ cmd: "touch" }); };
      return b;
    }));
    const products = catalogue.products.filter((p) => p.kind === activeKind);
    const applied = selections[activeKind];
    if (!activeProduct || !products.some((p) => p.id === activeProduct)) {
      activeProduct = applied ? applied.product_id : (products[0] && products[0].id);
    }
    $("products").replaceChildren(...products.map((p) => {
      const b = el("button", `chip product${p.id === activeProduct ? " active" : ""}`);
      b.dataset.product = p.id;
      b.append(el("strong", "", nameOf(p)), el("small", "", `${p.brand} · ${p.price} ${t("currency")}`));
      b.onclick = () => { activeProduct = p.id; renderMakeup(); send({ cmd: "touch" }); };
      return b;
    }));
    const product = productById(activeProduct);
    $("shades").replaceChildren(...(product ? product.shades : []).map((s) => {
      const b = el("button", `swatch${applied && applied.sku === s.sku ? " active" : ""}${s.in_stock ? "" : " oos"}`);
      b.dataset.sku = s.sku;
      b.title = nameOf(s);
      b.setAttribute("aria-label", nameOf(s));
      swatchStyle(b, s.colors);
      b.onclick = () => send({ cmd: "select", sku: s.sku });
      return b;
    }));
    const [ap, as] = applied ? shadeBySku(applied.sku) : [null, null];
    $("shade-name").textContent = as ? `${nameOf(ap)} — ${nameOf(as)}` : "";
    $("shade-finish").textContent = as ? t(`finish_${as.finish}`) + (as.in_stock ? "" : ` · ${t("out_of_stock")}`) : "";
    $("shade-price").textContent = ap ? `${ap.price} ${t("currency")}` : "";
    const slider = $("intensity");
    slider.disabled = !applied;
    if (applied && document.activeElement !== slider) slider.value = Math.round(applied.intensity * 100);
    $("remove-btn").disabled = !applied;
    const inBasket = applied && session.basket.some((b) => b.sku === applied.sku);
    $("basket-btn").disabled = !applied || inBasket;
    $("basket-btn").textContent = inBasket ? t("added") : t("add_to_basket");
    $("basket-count").textContent = session.basket.length;
    $("split-wrap").hidden = session.split === null;
    $("compare-btn").classList.toggle("active", session.split !== null);
  }

  function renderSummary() {
    const session = state.session;
    const items = session.handoff_items; // the kiosk's rule: the basket, else what is on show
    const list = $("summary-items");
    list.replaceChildren(...items.map((it) => {
      const [p, s] = shadeBySku(it.sku);
      const li = el("li");
      const sw = el("span", "dot big"); if (s) swatchStyle(sw, s.colors);
      li.append(sw, el("span", "", `${p ? nameOf(p) : ""} — ${s ? nameOf(s) : it.sku}`), el("span", "price", p ? `${p.price} ${t("currency")}` : ""));
      return li;
    }));
    if (!items.length) list.append(el("li", "muted", t("summary_empty")));
    renderPhoto(session.photo_round);
    // With "include my photo" ticked, nothing goes until the shopper has seen the photo.
    const photoPending = $("include-photo").checked && $("photo").hidden;
    $("handoff-btn").disabled = !items.length || !!(session.handoff && session.handoff.code) || photoPending;
    const handoff = session.handoff;
    $("handoff").hidden = !handoff;
    $("split-wrap").hidden = true;
    if (handoff) {
      $("handoff-error").hidden = !handoff.error;
      $("qr").hidden = !handoff.code;
      if (handoff.code && $("qr").dataset.code !== handoff.code) showQr(handoff.code);
    }
  }

  // The photo that goes with the list (the best frame of the last seconds, kiosk/app/photo.py),
  // shown before it is sent. It is behind the secret, so it is fetched with it; the kiosk answers
  // 404 until its pick has settled, and a retake starts a new pick (a new round).
  function renderPhoto(round) {
    if (photoRound === round) return;
    photoRound = round;
    clearPhoto();
    fetchPhoto(round);
  }
  async function fetchPhoto(round) {
    const current = () => state && state.phase === "summary" && photoRound === round;
    while (current()) {
      const res = await api(`/api/photo.jpg?round=${round}`).catch(() => null);
      if (res && res.ok) {
        const blob = await res.blob();
        if (!current()) return;
        $("photo").src = URL.createObjectURL(blob);
        $("photo").hidden = false;
        $("photo-waiting").hidden = true;
        $("retake-btn").disabled = false;
        renderSummary();
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  function clearPhoto() {
    const img = $("photo");
    if (img.src.startsWith("blob:")) URL.revokeObjectURL(img.src);
    img.removeAttribute("src");
    img.hidden = true;
    $("photo-waiting").hidden = false;
    $("retake-btn").disabled = true;
  }

  // The QR is behind the secret too, so it is fetched with it and shown from a blob.
  async function showQr(code) {
    const img = $("qr");
    img.dataset.code = code;
    const res = await api(`/api/handoff/qr.png?code=${encodeURIComponent(code)}`);
    if (!res.ok || img.dataset.code !== code) return;
    if (img.src.startsWith("blob:")) URL.revokeObjectURL(img.src);
    img.src = URL.createObjectURL(await res.blob());
  }

  function renderAssistant() {
    const box = $("assistant");
    box.hidden = !state.assistant_shown;
    const reply = state.session && state.session.assistant;
    const caption = $("assistant-reply");
    caption.textContent = reply ? reply.text : "";
    if (reply) { caption.lang = reply.lang; caption.dir = reply.lang === "ar" ? "rtl" : "ltr"; }
    const speech = speechPrefs();
    $("speech-row").hidden = !speech;
    if (!speech) return;
    $("mute-btn").textContent = t(speech.muted ? "unmute" : "mute");
    $("mute-btn").setAttribute("aria-pressed", String(speech.muted));
    if (document.activeElement !== $("volume")) $("volume").value = Math.round(speech.volume * 100);
  }

  // The shopper's speech settings for this session; the kiosk's defaults until they change them
  // (null when the kiosk does not speak its replies).
  function speechPrefs() {
    return (state.session && state.session.speech) || state.speech_defaults;
  }

  // ---- taps ----------------------------------------------------------------------------
  $("start-btn").onclick = () => send({ cmd: "start" });
  $("consent-yes").onclick = () => send({ cmd: "consent", accept: true, share_tone: $("share-tone").checked });
  $("consent-no").onclick = () => send({ cmd: "consent", accept: false });
  $("lang-toggle").onclick = () => send({ cmd: "lang", lang: state && state.lang === "ar" ? "en" : "ar" });
  $("help-btn").onclick = () => send({ cmd: "help" });
  $("shade-staff").onclick = () => send({ cmd: "help" });
  $("end-btn").onclick = () => send({ cmd: "end" });
  $("remove-btn").onclick = () => send({ cmd: "remove", kind: activeKind });
  $("intensity").oninput = (ev) => send({ cmd: "intensity", kind: activeKind, value: ev.target.value / 100 });
  $("basket-btn").onclick = () => {
    const applied = state.session.selections[activeKind];
    if (applied) send({ cmd: "basket_add", sku: applied.sku });
  };
  $("compare-btn").onclick = () => send({ cmd: "split", x: state.session.split === null ? $("split").value / 100 : null });
  $("split").oninput = (ev) => send({ cmd: "split", x: ev.target.value / 100 });
  $("summary-btn").onclick = () => send({ cmd: "summary" });
  $("f-summary-btn").onclick = () => send({ cmd: "summary" });
  $("f-rot-left").onclick = () => send({ cmd: "f_rotate", degrees: -15 });
  $("f-rot-right").onclick = () => send({ cmd: "f_rotate", degrees: 15 });
  $("f-remove").onclick = () => send({ cmd: "f_remove" });
  $("f-basket-btn").onclick = () => {
    const pl = state.session.placements[state.session.selected];
    if (pl) send({ cmd: "basket_add", product_id: pl.product_id, sku: pl.variant });
  };
  $("back-btn").onclick = () => send({ cmd: "back" });
  $("forget-btn").onclick = () => send({ cmd: "forget" });
  $("handoff-btn").onclick = () => send({ cmd: "handoff", include_photo: $("include-photo").checked });
  $("include-photo").onchange = () => { if (state && state.phase === "summary") renderSummary(); };
  $("retake-btn").onclick = () => send({ cmd: "retake" });
  $("tone-adjust").onclick = () => { toneEditing = !toneEditing; renderMakeup(); send({ cmd: "touch" }); };
  const tone = () => state.session.tone_override || state.session.tone;
  $("mst-minus").onclick = () => send({ cmd: "tone", mst: Math.max(1, tone().mst - 1), undertone: tone().undertone });
  $("mst-plus").onclick = () => send({ cmd: "tone", mst: Math.min(config.mst_swatches.length, tone().mst + 1), undertone: tone().undertone });
  $("tone-reset").onclick = () => send({ cmd: "tone", reset: true });
  $("mute-btn").onclick = () => send({ cmd: "speech", muted: !speechPrefs().muted, volume: speechPrefs().volume });
  $("volume").onchange = (ev) => send({ cmd: "speech", muted: speechPrefs().muted, volume: ev.target.value / 100 });
  $("ask-form").onsubmit = (ev) => {
    ev.preventDefault();
    const text = $("ask-input").value.trim();
    if (text) send({ cmd: "ask", text, lang: state.lang });
    $("ask-input").value = "";
  };
  // Touches that are not commands still mean "someone is here" (keeps the idle timer away).
  let lastTouch = 0;
  document.addEventListener("pointerdown", () => {
    const now = performance.now();
    if (state && state.session && now - lastTouch > 2000) { lastTouch = now; send({ cmd: "touch" }); }
  }, { capture: true });

  // Opened without the launch link (or with a stale one): say so instead of a blank mirror.
  function locked() {
    document.body.dataset.phase = "locked";
    ctx.clearRect(0, 0, canvas.width, canvas.height); // the last shopper's frame does not linger
    const banner = $("status-banner");
    banner.hidden = false;
    banner.replaceChildren(...["ar", "en"].map((lang) => {
      const line = el("p", "", t("status_locked", lang));
      line.lang = lang;
      line.dir = lang === "ar" ? "rtl" : "ltr";
      return line;
    }));
  }
  function start() {
    loadCatalogue().then(connect, (err) => {
      console.warn(err);
      if (err.status === 401) locked();
      else setTimeout(start, 1000); // the kiosk is still starting
    });
  }
  if (token) start();
  else locked();
})();
