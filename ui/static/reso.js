// Runs as the `js_on_load` of the hidden "reso-assets" component (ui/gradio/layout.py).
// A click on a citation (in an answer, the sources panel or the paragraph view) opens that
// paragraph in its document through the component's 'open_citation' event. Buttons carry
// data-document / data-paragraph / data-language; links in answers lose data-* attributes to
// the chat's HTML sanitizer, so for them the same values are read from the deep link they point
// to (?document=…&paragraph=…&language=…). A modified click (new tab), or a page where this
// script did not run, still follows the link and `demo.load` opens the paragraph.
window.__resoOpenCitation = (detail) => trigger('open_citation', detail);
// A timeline's "compare with the previous one" (ui/gradio/lineage.py) fills and runs the comparison.
window.__resoOpenComparison = (detail) => trigger('open_comparison', detail);
// In the lineage panel's "cites" list, an indexed target opens its own panel.
window.__resoOpenLineage = (detail) => trigger('open_lineage', detail);

// "Copy the link" under a comparison's summary: the comparison's whole address on the clipboard
// (the link beside it can be copied from its context menu too, or opened).
function resoCopyLink(button) {
  const url = new URL(button.getAttribute('data-href') || '', window.location.href).href;
  const done = () => {
    button.textContent = button.getAttribute('data-copied') || button.textContent;
    button.setAttribute('data-copied-url', url);
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(url).then(done, () => resoCopyFallback(url, done));
  } else {
    resoCopyFallback(url, done);
  }
}

function resoCopyFallback(url, done) {
  const area = document.createElement('textarea');
  area.value = url;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  try {
    if (document.execCommand('copy')) done();
  } finally {
    area.remove();
  }
}

function resoCitationOf(el) {
  if (el.hasAttribute('data-reso-open')) {
    return {
      document: el.getAttribute('data-document') || '',
      paragraph: el.getAttribute('data-paragraph') || '',
      language: el.getAttribute('data-language') || '',
    };
  }
  const params = new URL(el.getAttribute('href') || '', window.location.href).searchParams;
  return {
    document: params.get('document') || '',
    paragraph: params.get('paragraph') || '',
    language: params.get('language') || '',
  };
}

if (!window.__resoCitationClicks) {
  window.__resoCitationClicks = true;
  document.addEventListener(
    'click',
    (event) => {
      const target = event.target instanceof Element ? event.target : null;
      const copy = target ? target.closest('[data-reso-copy]') : null;
      if (copy) {
        event.preventDefault();
        resoCopyLink(copy);
        return;
      }
      const lineage = target ? target.closest('[data-reso-lineage]') : null;
      if (lineage) {
        event.preventDefault();
        window.__resoOpenLineage({ document: lineage.getAttribute('data-document') || '' });
        return;
      }
      const cmp = target ? target.closest('[data-reso-compare]') : null;
      if (cmp) {
        event.preventDefault();
        window.__resoOpenComparison({ a: cmp.getAttribute('data-a') || '', b: cmp.getAttribute('data-b') || '' });
        const view = document.getElementById('compare');
        if (view) view.scrollIntoView({ behavior: 'smooth', block: 'start' });
        return;
      }
      const el = event.target instanceof Element ? event.target.closest('[data-reso-open], a.reso-citation') : null;
      if (!el) return;
      if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey || event.button !== 0) return;
      const citation = resoCitationOf(el);
      if (!citation.document || !citation.paragraph) return;
      event.preventDefault();
      event.stopPropagation();
      window.__resoOpenCitation(citation);
      const view = document.getElementById('paragraph-view');
      if (view) view.scrollIntoView({ behavior: 'smooth', block: 'nearest' });
    },
    true,
  );
}
