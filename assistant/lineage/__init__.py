"""Resolutions in time: what a resolution cites, who cites it, its series, and what changed.

The package is one seam (`types.Lineage`) and its parts, each in its own module:

* `types`    — the typed shapes every part and surface shares (mentions, series entries,
               aligned paragraph pairs) and the `Lineage` protocol the surfaces call;
* `graph`    — the reference graph: every mention of another resolution in an indexed paragraph,
               resolved to indexed documents where they exist, and the series of successive texts;
* `compare`  — two documents' paragraphs aligned by content, with word-level changes;
* `service`  — `LineageService`, the `Lineage` over one index state, built lazily on first use.

Data flows one way here too: the index's chunks and records in, typed results out; the CLI
(`reso related`, `reso compare`), the API (CONTRACTS §7) and the UI only serialise them.
"""
