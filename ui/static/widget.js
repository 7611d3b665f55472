/*
 * reso helpdesk widget: a floating "ask about UN resolutions" button for any web page.
 *
 *   <script src="https://HOST/widget.js" data-title="Help" data-language="fr"
 *           data-position="left" defer></script>
 *
 * It speaks the page's language (data-language or data-lang, else <html lang>, else the browser's)
 * in the six official languages of the UN, English otherwise. In Arabic it is mirrored: written
 * right to left, in the bottom-left corner unless data-position says otherwise; citations such as
 * [A/HRC/RES/54/10, OP2] stay left-to-right islands so their brackets and comma keep their places.
 *
 * Plain JavaScript, no build step, no dependency, no request to anything but the server that
 * served this file. Everything lives in an open shadow root with its own styles, so the host
 * page's CSS cannot restyle the widget and the widget's CSS cannot touch the page.
 *
 * Security rule for whoever edits this file: text from the server (answers, paragraphs, titles,
 * error messages) is untrusted — a resolution may quote markup. It only ever reaches the page
 * through textContent / createTextNode; never innerHTML, insertAdjacentHTML or document.write.
 * The page holds no secret: the public API needs none.
 */
(function () {
  "use strict";

  // Replaced by the server with its configured public URL (RESO_PUBLIC_URL), or left empty:
  // behind a proxy the script's own URL may not be the address users should be sent to.
  var CONFIGURED_BASE = /*RESO_PUBLIC_URL*/ "";

  var script =
    document.currentScript ||
    (function () {
      // currentScript is null when the tag was injected late or run as a module; the last
      // matching tag is the one being executed in the usual case of a single embed.
      var tags = document.querySelectorAll('script[src$="widget.js"]');
      return tags.length ? tags[tags.length - 1] : null;
    })();
  if (!script || !script.src) return;
  if (script.getAttribute("data-reso-loaded")) return; // embedded twice: one widget is enough
  script.setAttribute("data-reso-loaded", "1");

  // The folder widget.js was served from, so a server mounted under a path prefix still works.
  var BASE = (function () {
    try {
      var configured = CONFIGURED_BASE ? new URL(CONFIGURED_BASE) : null;
      if (configured && /^https?:$/.test(configured.protocol)) {
        return configured.href.replace(/\/?$/, "/");
      }
    } catch (e) {
      /* a malformed configured URL falls back to the script's own address */
    }
    var src = new URL(script.src, window.location.href);
    return new URL("./", src).href;
  })();
  var STREAM_URL = new URL("api/ask/stream", BASE).href;

  var MAX_HISTORY = 12; // messages sent back as context; older turns rarely matter and cost bytes

  // --------------------------------------------------------------------------------------------
  // Language and strings
  // --------------------------------------------------------------------------------------------

  var STRINGS = {
    en: {
      launcher: "Ask about UN resolutions",
      title: "UN resolutions",
      intro: "Ask a question about UN resolutions. Answers quote and cite the exact paragraphs.",
      label: "Your question",
      placeholder: "Type your question…",
      send: "Send",
      close: "Close",
      sources: "Sources",
      open: "Open in the full text",
      newTab: "(opens in a new tab)",
      you: "You",
      assistant: "Assistant",
      thinking: "Searching the resolutions…",
      showSource: "Show the cited paragraph",
      errNetwork: "The assistant could not be reached. Check your connection and try again.",
      errBusy: "Too many questions at once. Please wait a moment and try again.",
      errServer: "Sorry, the assistant could not answer right now. Please try again later.",
      errRequest: "The question could not be sent.",
      errEmpty: "Please type a question."
    },
    fr: {
      launcher: "Poser une question sur les résolutions de l'ONU",
      title: "Résolutions de l'ONU",
      intro:
        "Posez une question sur les résolutions de l'ONU. Les réponses citent les paragraphes exacts.",
      label: "Votre question",
      placeholder: "Posez votre question…",
      send: "Envoyer",
      close: "Fermer",
      sources: "Sources",
      open: "Ouvrir dans le texte complet",
      newTab: "(s'ouvre dans un nouvel onglet)",
      you: "Vous",
      assistant: "Assistant",
      thinking: "Recherche dans les résolutions…",
      showSource: "Afficher le paragraphe cité",
      errNetwork:
        "Impossible de joindre l'assistant. Vérifiez votre connexion et réessayez.",
      errBusy: "Trop de questions à la fois. Patientez un instant puis réessayez.",
      errServer:
        "Désolé, l'assistant ne peut pas répondre pour le moment. Réessayez plus tard.",
      errRequest: "La question n'a pas pu être envoyée.",
      errEmpty: "Veuillez saisir une question."
    },
    es: {
      launcher: "Preguntar sobre las resoluciones de las Naciones Unidas",
      title: "Resoluciones de las Naciones Unidas",
      intro:
        "Formule una pregunta sobre las resoluciones de las Naciones Unidas. Las respuestas citan los párrafos exactos.",
      label: "Su pregunta",
      placeholder: "Escriba su pregunta…",
      send: "Enviar",
      close: "Cerrar",
      sources: "Fuentes",
      open: "Abrir en el texto completo",
      newTab: "(se abre en una pestaña nueva)",
      you: "Usted",
      assistant: "Asistente",
      thinking: "Buscando en las resoluciones…",
      showSource: "Mostrar el párrafo citado",
      errNetwork: "No se ha podido contactar con el asistente. Compruebe su conexión y vuelva a intentarlo.",
      errBusy: "Demasiadas preguntas a la vez. Espere un momento y vuelva a intentarlo.",
      errServer: "Lo sentimos, el asistente no puede responder en este momento. Vuelva a intentarlo más tarde.",
      errRequest: "No se ha podido enviar la pregunta.",
      errEmpty: "Escriba una pregunta."
    },
    ar: {
      launcher: "اسأل عن قرارات الأمم المتحدة",
      title: "قرارات الأمم المتحدة",
      intro: "اطرح سؤالا عن قرارات الأمم المتحدة. تقتبس الإجابات الفقرات المحددة وتستشهد بها.",
      label: "سؤالك",
      placeholder: "اكتب سؤالك…",
      send: "إرسال",
      close: "إغلاق",
      sources: "المصادر",
      open: "فتح في النص الكامل",
      newTab: "(يُفتح في علامة تبويب جديدة)",
      you: "أنت",
      assistant: "المساعد",
      thinking: "جارٍ البحث في القرارات…",
      showSource: "عرض الفقرة المستشهد بها",
      errNetwork: "تعذر الاتصال بالمساعد. تحقق من اتصالك وحاول مرة أخرى.",
      errBusy: "أسئلة كثيرة في وقت واحد. يرجى الانتظار لحظة ثم المحاولة مرة أخرى.",
      errServer: "عذرا، لا يستطيع المساعد الإجابة الآن. يرجى المحاولة لاحقا.",
      errRequest: "تعذر إرسال السؤال.",
      errEmpty: "يرجى كتابة سؤال."
    },
    zh: {
      launcher: "就联合国决议提问",
      title: "联合国决议",
      intro: "就联合国决议提问。回答会引述并注明确切的段落。",
      label: "您的问题",
      placeholder: "输入您的问题……",
      send: "发送",
      close: "关闭",
      sources: "来源",
      open: "在全文中打开",
      newTab: "（在新标签页中打开）",
      you: "您",
      assistant: "助手",
      thinking: "正在检索决议……",
      showSource: "显示所引用的段落",
      errNetwork: "无法连接助手。请检查网络连接后重试。",
      errBusy: "同时提出的问题过多。请稍候再试。",
      errServer: "抱歉，助手暂时无法回答。请稍后再试。",
      errRequest: "问题未能发送。",
      errEmpty: "请输入问题。"
    },
    ru: {
      launcher: "Задать вопрос о резолюциях ООН",
      title: "Резолюции ООН",
      intro: "Задайте вопрос о резолюциях ООН. Ответы цитируют точные пункты и ссылаются на них.",
      label: "Ваш вопрос",
      placeholder: "Введите вопрос…",
      send: "Отправить",
      close: "Закрыть",
      sources: "Источники",
      open: "Открыть в полном тексте",
      newTab: "(откроется в новой вкладке)",
      you: "Вы",
      assistant: "Помощник",
      thinking: "Поиск по резолюциям…",
      showSource: "Показать цитируемый пункт",
      errNetwork: "Не удалось связаться с помощником. Проверьте подключение и повторите попытку.",
      errBusy: "Слишком много вопросов одновременно. Подождите немного и повторите попытку.",
      errServer: "К сожалению, помощник сейчас не может ответить. Повторите попытку позже.",
      errRequest: "Не удалось отправить вопрос.",
      errEmpty: "Введите вопрос."
    }
  };
  var RTL_LANGUAGES = { ar: true };

  /** The first language the widget speaks among: its tag's, the page's, the browser's. */
  function pickLanguage() {
    var candidates = [
      script.getAttribute("data-language"),
      script.getAttribute("data-lang"),
      document.documentElement && document.documentElement.lang,
      navigator.language
    ];
    for (var i = 0; i < candidates.length; i++) {
      var c = (candidates[i] || "").trim().split(/[-_]/)[0].toLowerCase();
      if (Object.prototype.hasOwnProperty.call(STRINGS, c)) return c;
    }
    return "en";
  }

  var LANG = pickLanguage();
  var T = STRINGS[LANG];
  var DIR = RTL_LANGUAGES[LANG] ? "rtl" : "ltr";
  var TITLE = (script.getAttribute("data-title") || "").trim() || T.title;
  // the corner the reading starts from is the natural one: right in left-to-right pages, left in Arabic
  var POSITION = (function () {
    var asked = script.getAttribute("data-position") || "";
    if (/left/i.test(asked)) return "left";
    if (/right/i.test(asked)) return "right";
    return DIR === "rtl" ? "left" : "right";
  })();

  // --------------------------------------------------------------------------------------------
  // Styles (px everywhere: rem would follow the host page's root font size)
  // --------------------------------------------------------------------------------------------

  var CSS = [
    ":host { all: initial !important; }",
    ".root, .root * { box-sizing: border-box; }",
    ".root { font: 400 15px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif;",
    "  color: #1b1f24; letter-spacing: normal; text-align: start; text-transform: none; word-spacing: normal; }",
    // installed fonts for the scripts (no font file is fetched); :lang picks Chinese glyph forms for zh
    ".root:lang(ar) { font-family: 'Noto Naskh Arabic', 'Noto Sans Arabic', 'Geeza Pro', 'Segoe UI', Tahoma, system-ui, sans-serif; line-height: 1.6; }",
    ".root:lang(zh) { font-family: 'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', system-ui, sans-serif; }",
    "button, textarea { font: inherit; color: inherit; letter-spacing: inherit; }",
    ".launcher { position: fixed; bottom: 20px; z-index: 2147483000; display: inline-flex; align-items: center;",
    "  gap: 8px; padding: 12px 18px; border: 0; border-radius: 28px; background: #0b5cad; color: #fff;",
    "  font-size: 15px; font-weight: 600; cursor: pointer; box-shadow: 0 4px 14px rgba(0,0,0,.25); }",
    ".launcher:hover { background: #094b8e; }",
    ".launcher svg { width: 20px; height: 20px; flex: none; fill: currentColor; }",
    ".pos-right .launcher, .pos-right .panel { right: 20px; }",
    ".pos-left .launcher, .pos-left .panel { left: 20px; }",
    ".panel { position: fixed; bottom: 84px; z-index: 2147483001; width: 400px; max-width: calc(100vw - 40px);",
    "  height: 600px; max-height: calc(100vh - 110px); display: flex; flex-direction: column;",
    "  background: #fff; border: 1px solid #c9d1d9; border-radius: 12px; box-shadow: 0 8px 28px rgba(0,0,0,.28);",
    "  overflow: hidden; }",
    ".panel[hidden] { display: none; }",
    ".head { display: flex; align-items: center; justify-content: space-between; gap: 8px; padding-block: 10px;",
    "  padding-inline: 16px 12px;",
    "  background: #0b5cad; color: #fff; }",
    ".head h2 { margin: 0; font-size: 16px; font-weight: 600; line-height: 1.3; }",
    ".close { border: 0; background: transparent; color: #fff; font-size: 22px; line-height: 1; width: 36px; height: 36px;",
    "  border-radius: 6px; cursor: pointer; }",
    ".close:hover { background: rgba(255,255,255,.15); }",
    ".log { flex: 1 1 auto; overflow-y: auto; padding: 12px 16px; background: #f6f8fa; }",
    ".intro { margin: 0 0 12px; color: #57606a; font-size: 14px; }",
    ".msg { margin: 0 0 12px; }",
    ".who { display: block; font-size: 12px; font-weight: 600; color: #57606a; margin-bottom: 2px; }",
    ".bubble { padding: 8px 12px; border-radius: 10px; white-space: pre-wrap; overflow-wrap: anywhere; font-size: 15px; }",
    ".user .bubble { background: #ddeeff; }",
    ".bot .bubble { background: #fff; border: 1px solid #d8dee4; }",
    ".pending { color: #57606a; font-style: italic; }",
    ".error .bubble { background: #fff1f0; border: 1px solid #f5b7b1; color: #86181d; }",
    ".cite { display: inline; margin: 0 1px; padding: 0 4px; border: 1px solid #0b5cad; border-radius: 4px;",
    "  background: #eef5fc; color: #0b4a8b; font-size: 13px; font-weight: 600; cursor: pointer; white-space: nowrap;",
    "  unicode-bidi: isolate; direction: ltr; }",
    ".ltr { unicode-bidi: isolate; direction: ltr; }",
    ".cite:hover { background: #dbe9f8; }",
    ".sources { margin-top: 8px; }",
    ".sources h3 { margin: 0 0 4px; font-size: 13px; font-weight: 600; color: #24292f; }",
    "details { margin: 0 0 6px; background: #fff; border: 1px solid #d8dee4; border-radius: 8px; }",
    "summary { padding: 6px 10px; cursor: pointer; font-size: 14px; font-weight: 600; color: #0b4a8b; }",
    "details[open] summary { border-bottom: 1px solid #d8dee4; }",
    ".excerpt { margin: 0; padding: 8px 10px 4px; font-size: 14px; white-space: pre-wrap; overflow-wrap: anywhere; }",
    ".doc-title { margin: 0; padding: 0 10px; font-size: 12px; color: #57606a; }",
    ".open { display: inline-block; margin: 4px 10px 8px; font-size: 13px; color: #0b5cad; }",
    ".flash { animation: flash 1.2s ease-out 1; }",
    "@keyframes flash { from { background: #fff3bf; } to { background: #fff; } }",
    ".form { display: flex; gap: 8px; align-items: flex-end; padding: 10px 12px; border-top: 1px solid #d8dee4; background: #fff; }",
    ".form textarea { flex: 1 1 auto; min-height: 42px; max-height: 120px; resize: none; padding: 9px 10px;",
    "  border: 1px solid #8c959f; border-radius: 8px; background: #fff; font-size: 15px; }",
    ".form button { flex: none; padding: 10px 14px; border: 0; border-radius: 8px; background: #0b5cad; color: #fff;",
    "  font-weight: 600; cursor: pointer; }",
    ".form button[disabled] { background: #8c959f; cursor: progress; }",
    ".sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;",
    "  clip: rect(0,0,0,0); white-space: nowrap; border: 0; }",
    // a clear focus ring whatever the page does: the widget must be usable from the keyboard
    ":focus-visible { outline: 3px solid #ffbf47; outline-offset: 2px; box-shadow: 0 0 0 5px #0b0c0c; }",
    "textarea:focus-visible { outline: 3px solid #0b5cad; outline-offset: 1px; box-shadow: none; }",
    "@media (max-width: 480px) {",
    "  .panel { left: 0 !important; right: 0 !important; top: 0; bottom: 0; width: 100%; max-width: 100%;",
    "    height: 100%; max-height: 100%; border-radius: 0; border: 0; }",
    "  .launcher .label { display: none; }",
    "  .launcher { padding: 14px; }",
    "}",
    "@media (prefers-reduced-motion: reduce) { .flash { animation: none; } }"
  ].join("\n");

  // --------------------------------------------------------------------------------------------
  // DOM helpers: the only way anything reaches the page
  // --------------------------------------------------------------------------------------------

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      for (var k in attrs) {
        if (!Object.prototype.hasOwnProperty.call(attrs, k)) continue;
        if (k === "text") node.textContent = attrs[k];
        else if (k === "className") node.className = attrs[k];
        else node.setAttribute(k, attrs[k]);
      }
    }
    (children || []).forEach(function (c) {
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }

  function icon() {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS(ns, "path");
    path.setAttribute(
      "d",
      "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm7 10v2h2v-2h-2zm1-8a3.5 3.5 0 0 0-3.5 3.5h2A1.5 1.5 0 1 1 12 10c-.8 0-1 .6-1 1.5V12h2v-.3c0-.4.1-.6.5-.9A3.5 3.5 0 0 0 12 5z"
    );
    svg.appendChild(path);
    return svg;
  }

  function normKey(document, paragraph) {
    return (String(document) + "|" + String(paragraph)).replace(/\s+/g, "").toUpperCase();
  }

  function paragraphUrl(c) {
    var q =
      "?document=" + encodeURIComponent(c.document || "") +
      "&paragraph=" + encodeURIComponent(c.paragraph || "") +
      "&language=" + encodeURIComponent(c.language || "");
    return new URL(q, BASE).href;
  }

  // --------------------------------------------------------------------------------------------
  // Server-Sent Events over fetch (EventSource cannot POST)
  // --------------------------------------------------------------------------------------------

  /** Feeds decoded text in; calls onEvent(name, data) for every complete event. */
  function SSEParser(onEvent) {
    var buffer = "";
    var eventName = "";
    var data = [];

    function dispatch() {
      if (data.length) onEvent(eventName || "message", data.join("\n"));
      eventName = "";
      data = [];
    }

    function line(l) {
      if (l === "") return dispatch();
      if (l.charAt(0) === ":") return; // comment / keep-alive
      var i = l.indexOf(":");
      var field = i < 0 ? l : l.slice(0, i);
      var value = i < 0 ? "" : l.slice(i + 1);
      if (value.charAt(0) === " ") value = value.slice(1);
      if (field === "event") eventName = value;
      else if (field === "data") data.push(value);
    }

    return {
      push: function (text) {
        buffer += text;
        // a chunk may end anywhere, even between "\r" and "\n": keep the unfinished tail
        var m;
        var re = /\r\n|\r|\n/g;
        var start = 0;
        while ((m = re.exec(buffer))) {
          if (m[0] === "\r" && m.index === buffer.length - 1) break; // maybe half of "\r\n"
          line(buffer.slice(start, m.index));
          start = m.index + m[0].length;
        }
        buffer = buffer.slice(start);
      },
      end: function () {
        if (buffer) line(buffer.replace(/\r$/, ""));
        buffer = "";
        dispatch();
      }
    };
  }

  function readStream(response, onEvent) {
    var parser = SSEParser(onEvent);
    if (!response.body || !response.body.getReader) {
      // very old engines: no streaming, same parsing on the whole body
      return response.text().then(function (t) {
        parser.push(t);
        parser.end();
      });
    }
    var reader = response.body.getReader();
    var decoder = new TextDecoder("utf-8"); // stream mode keeps multi-byte characters whole
    function pump() {
      return reader.read().then(function (r) {
        if (r.done) {
          parser.push(decoder.decode());
          parser.end();
          return;
        }
        parser.push(decoder.decode(r.value, { stream: true }));
        return pump();
      });
    }
    return pump();
  }

  function httpError(response) {
    var fallback = response.status === 429 ? T.errBusy : response.status >= 500 ? T.errServer : T.errRequest;
    return response
      .json()
      .then(
        function (body) {
          var detail = body && (body.error || body.detail);
          if (detail && typeof detail !== "string") detail = JSON.stringify(detail);
          return detail ? fallback + " (" + detail + ")" : fallback;
        },
        function () {
          return fallback;
        }
      )
      .then(function (message) {
        var e = new Error(message);
        e.userMessage = message;
        throw e;
      });
  }

  // --------------------------------------------------------------------------------------------
  // The widget
  // --------------------------------------------------------------------------------------------

  function mount() {
    var host = el("div", { "data-reso-widget": "", lang: LANG, dir: DIR });
    var shadow = host.attachShadow({ mode: "open" });

    // Constructable sheets are not "inline style" for a host page's CSP; <style> is the fallback.
    var styled = false;
    try {
      if (shadow.adoptedStyleSheets !== undefined && typeof CSSStyleSheet === "function") {
        var sheet = new CSSStyleSheet();
        sheet.replaceSync(CSS);
        shadow.adoptedStyleSheets = [sheet];
        styled = true;
      }
    } catch (e) {
      styled = false;
    }
    if (!styled) shadow.appendChild(el("style", { text: CSS }));

    var root = el("div", { className: "root pos-" + POSITION, lang: LANG, dir: DIR });
    shadow.appendChild(root);

    var launcher = el(
      "button",
      {
        type: "button",
        className: "launcher",
        "aria-expanded": "false",
        "aria-controls": "reso-panel",
        "aria-haspopup": "dialog",
        "aria-label": T.launcher,
        title: T.launcher
      },
      [icon(), el("span", { className: "label", text: T.launcher })]
    );

    var closeBtn = el("button", { type: "button", className: "close", "aria-label": T.close, title: T.close, text: "×" });
    var heading = el("h2", { id: "reso-title", text: TITLE });
    var log = el("div", {
      className: "log",
      "aria-live": "polite",
      "aria-relevant": "additions text",
      "aria-busy": "false",
      tabindex: "-1"
    });
    log.appendChild(el("p", { className: "intro", text: T.intro }));

    var input = el("textarea", {
      id: "reso-question",
      rows: "1",
      placeholder: T.placeholder,
      maxlength: "2000",
      autocomplete: "off"
    });
    var label = el("label", { className: "sr-only", for: "reso-question", text: T.label });
    var sendBtn = el("button", { type: "submit", className: "send", text: T.send });
    var form = el("form", { className: "form", novalidate: "" }, [label, input, sendBtn]);

    var panel = el(
      "div",
      {
        id: "reso-panel",
        className: "panel",
        role: "dialog",
        "aria-modal": "false",
        "aria-labelledby": "reso-title",
        hidden: ""
      },
      [el("div", { className: "head" }, [heading, closeBtn]), log, form]
    );

    root.appendChild(panel);
    root.appendChild(launcher);

    var history = [];
    var busy = false;

    function open() {
      panel.hidden = false;
      launcher.setAttribute("aria-expanded", "true");
      input.focus();
    }

    function close() {
      panel.hidden = true;
      launcher.setAttribute("aria-expanded", "false");
      launcher.focus();
    }

    launcher.addEventListener("click", function () {
      if (panel.hidden) open();
      else close();
    });
    closeBtn.addEventListener("click", close);
    root.addEventListener("keydown", function (e) {
      if ((e.key === "Escape" || e.key === "Esc") && !panel.hidden) {
        e.preventDefault();
        e.stopPropagation();
        close();
      }
    });
    input.addEventListener("keydown", function (e) {
      // Enter sends, Shift+Enter starts a new line (the usual chat convention)
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        submit();
      }
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      submit();
    });

    function scrollDown() {
      log.scrollTop = log.scrollHeight;
    }

    /**
     * Scrolls the conversation (only it: scrollIntoView could also scroll the host page) so that
     * `node` is in view — its top at the top when it is taller than the view ("start"), or the
     * least movement that shows it ("nearest").
     */
    function reveal(node, align) {
      var view = log.getBoundingClientRect();
      var box = node.getBoundingClientRect();
      var delta = 0;
      if (align === "start" || box.height > view.height || box.top < view.top) delta = box.top - view.top - 8;
      else if (box.bottom > view.bottom) delta = box.bottom - view.bottom + 8;
      if (!delta) return;
      var smooth = !(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
      if (log.scrollTo) log.scrollTo({ top: log.scrollTop + delta, behavior: smooth ? "smooth" : "auto" });
      else log.scrollTop += delta;
    }

    function addMessage(kind, who) {
      var bubble = el("div", { className: "bubble", dir: "auto" }); // a French answer in an Arabic page reads left to right
      var msg = el("div", { className: "msg " + kind }, [el("span", { className: "who", text: who }), bubble]);
      log.appendChild(msg);
      scrollDown();
      return { msg: msg, bubble: bubble };
    }

    function showError(message) {
      var m = addMessage("error", T.assistant);
      m.bubble.setAttribute("role", "alert");
      m.bubble.textContent = message;
      scrollDown();
    }

    /** Sources as <details>, keyed so a marker in the answer can open its excerpt. */
    function renderSources(msg, citations) {
      var byKey = {};
      if (!citations || !citations.length) return byKey;
      var list = el("div", { className: "sources" }, [el("h3", { text: T.sources })]);
      citations.forEach(function (c) {
        // symbol and paragraph id are Latin: kept left to right inside an Arabic panel
        var summary = el("summary", {}, [
          el("span", { className: "ltr", dir: "ltr", text: String(c.document || "") + " " + String(c.paragraph || "") })
        ]);
        var details = el("details", {
          "data-document": String(c.document || ""),
          "data-paragraph": String(c.paragraph || "")
        }, [summary]);
        if (c.title) details.appendChild(el("p", { className: "doc-title", text: String(c.title) }));
        details.appendChild(el("p", { className: "excerpt", lang: String(c.language || ""), dir: "auto", text: String(c.text || "") }));
        var link = el("a", {
          className: "open",
          href: paragraphUrl(c),
          target: "_blank",
          rel: "noopener noreferrer"
        }, [T.open + " ", el("span", { className: "sr-only", text: T.newTab })]);
        details.appendChild(link);
        list.appendChild(details);
        byKey[normKey(c.document, c.paragraph)] = details;
      });
      msg.appendChild(list);
      return byKey;
    }

    function findDetails(byKey, doc, pid) {
      return byKey[normKey(doc, pid)] || byKey[normKey(doc, String(pid).split("(")[0])] || null;
    }

    /** Rebuilds the answer with its [SYMBOL, PID] markers as buttons that open the excerpt. */
    function renderAnswer(bubble, text, byKey) {
      var marker = /\[\s*([A-Z][A-Za-z]*\/[^\[\],]*?)\s*,\s*((?:PP|OP|ANNEX)[^\[\]\s,;]*)\s*\]/g;
      var frag = document.createDocumentFragment();
      var last = 0;
      var m;
      while ((m = marker.exec(text))) {
        var details = findDetails(byKey, m[1], m[2]);
        if (!details) continue; // left as plain text
        frag.appendChild(document.createTextNode(text.slice(last, m.index)));
        frag.appendChild(citeButton(m[0], m[1], m[2], details));
        last = m.index + m[0].length;
      }
      frag.appendChild(document.createTextNode(text.slice(last)));
      bubble.textContent = "";
      bubble.appendChild(frag);
    }

    function citeButton(markerText, doc, pid, details) {
      var b = el("button", {
        type: "button",
        className: "cite",
        "data-document": doc,
        "data-paragraph": pid,
        title: T.showSource,
        "aria-label": T.showSource + " " + doc + " " + pid,
        text: markerText
      });
      b.addEventListener("click", function () {
        details.open = true;
        details.classList.remove("flash");
        void details.offsetWidth; // restart the highlight animation
        details.classList.add("flash");
        reveal(details, "nearest");
        var s = details.querySelector("summary");
        if (s) s.focus({ preventScroll: true }); // reveal() already shows it
      });
      return b;
    }

    function submit() {
      if (busy) return;
      var question = input.value.trim();
      if (!question) {
        input.focus();
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("placeholder", T.errEmpty);
        return;
      }
      input.removeAttribute("aria-invalid");
      input.setAttribute("placeholder", T.placeholder);
      input.value = "";
      ask(question);
    }

    function setBusy(on) {
      busy = on;
      sendBtn.disabled = on;
      log.setAttribute("aria-busy", on ? "true" : "false");
    }

    function ask(question) {
      var userMsg = addMessage("user", T.you).msg;
      userMsg.lastChild.textContent = question;
      var bot = addMessage("bot", T.assistant);
      var pending = el("span", { className: "pending", text: T.thinking });
      bot.bubble.appendChild(pending);
      var streamed = document.createTextNode("");
      var citations = null;
      var finalAnswer = null;
      var failure = null;
      setBusy(true);

      var body = JSON.stringify({ question: question, history: history.slice(-MAX_HISTORY) });

      fetch(STREAM_URL, {
        method: "POST",
        mode: "cors",
        credentials: "omit", // nothing of the host page's cookies, and none needed
        headers: { "Content-Type": "application/json", Accept: "text/event-stream" },
        body: body
      })
        .then(
          function (response) {
            if (!response.ok) return httpError(response);
            return readStream(response, function (name, raw) {
              var data;
              try {
                data = JSON.parse(raw);
              } catch (e) {
                return; // a malformed event is ignored; the final "done" carries everything
              }
              if (name === "delta") {
                if (pending.parentNode) {
                  bot.bubble.textContent = "";
                  bot.bubble.appendChild(streamed);
                }
                streamed.appendData(String((data && data.text) || ""));
                scrollDown();
              } else if (name === "citations") {
                citations = Array.isArray(data) ? data : (data && data.citations) || [];
              } else if (name === "done") {
                finalAnswer = data || {};
              } else if (name === "error") {
                failure = String((data && data.error) || T.errServer);
              }
            });
          },
          function () {
            var e = new Error(T.errNetwork);
            e.userMessage = T.errNetwork;
            throw e;
          }
        )
        .then(function () {
          if (failure) throw Object.assign(new Error(failure), { userMessage: T.errServer + " (" + failure + ")" });
          if (!finalAnswer && !streamed.data) throw Object.assign(new Error("empty"), { userMessage: T.errServer });
          var text = finalAnswer && typeof finalAnswer.answer === "string" ? finalAnswer.answer : streamed.data;
          var cites = citations || (finalAnswer && finalAnswer.citations) || [];
          var byKey = renderSources(bot.msg, cites);
          renderAnswer(bot.bubble, text, byKey);
          // the API takes at most 10 000 characters per earlier message
          history.push({ role: "user", content: question.slice(0, 10000) });
          history.push({ role: "assistant", content: text.slice(0, 10000) });
        })
        .catch(function (e) {
          if (!streamed.data) bot.msg.remove();
          showError((e && e.userMessage) || T.errNetwork);
        })
        .then(function () {
          setBusy(false);
          // a long answer is read from its beginning: show the question and the answer's start
          var exchange = userMsg.getBoundingClientRect().height + bot.msg.getBoundingClientRect().height;
          if (bot.msg.parentNode && exchange > log.clientHeight) reveal(userMsg, "start");
          else scrollDown();
        });
    }

    document.body.appendChild(host);
  }

  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
