"""The report's first box: is this record intact? Hash chain, signatures, head hash and key fingerprint,
and what to do when it is not."""

from __future__ import annotations

from html import escape
from typing import Sequence

from armory.export.clean import as_int
from armory.export.report_data import ReportData


def verification_html(data: ReportData) -> str:
    v = data.verification
    ok = bool(getattr(v, "ok", False))
    entries = getattr(v, "entries", len(data.chain))
    head = getattr(v, "head", None) or (data.chain[-1].get("hash") if data.chain else "")
    fingerprint = getattr(v, "key_fingerprint", None) or "unknown"
    checkpoints = getattr(v, "checkpoints_checked", 0)
    problems = [str(p) for p in getattr(v, "problems", []) or []]
    first_bad = getattr(v, "first_bad", None)
    last_signed = getattr(v, "signed_through", None)
    if last_signed is None:
        last_signed = _last_signed(data.chain)
    rows = [
        ("Hash chain", f"intact: all {entries} entries recompute" if ok else "BROKEN"),
        ("Signatures", f"{checkpoints} signed checkpoint{'s' if checkpoints != 1 else ''} valid" if ok
         else "not trusted: the chain does not verify"),
        ("Head hash", f'<code>{escape(str(head))}</code>'),
        ("Key fingerprint", f"<code>{escape(str(fingerprint))}</code>"),
    ]
    if ok:
        headline = "✔ Intact: every entry's hash and every signature check out."
        if not last_signed:
            rows.insert(2, ("Signed", "no checkpoint signs this chain; the hashes alone cannot show a rewrite"))
        elif last_signed < len(data.chain):
            later = len(data.chain) - last_signed
            rows.insert(2, ("Signed", f"entries 1 to {last_signed} are covered by a signature; "
                                      f"{later} later entr{'y is' if later == 1 else 'ies are'} not"))
        else:
            rows.insert(2, ("Signed", f"the whole chain, by the checkpoint at its end (#{len(data.chain)})"))
        body = ("<p>Compare the key fingerprint and the head hash with the ones noted on the call sheet: "
                "a record rewritten and re-signed under another key shows a different fingerprint.</p>")
    else:
        if isinstance(first_bad, (tuple, list)) and len(first_bad) == 3:
            where = f" The first entry that does not match is #{first_bad[0]} ({first_bad[1]}): {first_bad[2]}."
        elif first_bad:
            where = f" The first entry that does not match is #{first_bad}."
        else:
            where = " The record holds no entry that verifies."
        headline = "✘ NOT INTACT: this record has been changed, damaged or cut short since it was written."
        body = (f"<p><strong>Do not rely on it.</strong>{escape(where)}</p><p>Ask the armorer for a fresh export "
                "and compare its head hash with the one noted on the call sheet.</p>")
        if problems:
            body += "<ul>" + "".join(f"<li>{escape(p)}</li>" for p in problems[:20]) + "</ul>"
    dl = "".join(f"<dt>{escape(k)}</dt><dd>{v_}</dd>" for k, v_ in rows)
    return (
        f'<section id="verification" class="verdict {"ok" if ok else "bad"}" aria-labelledby="verification-h">'
        f'<h2 id="verification-h">Is this record intact?</h2>'
        f'<p class="headline" role="status">{escape(headline)}</p>{body if not ok else ""}<dl>{dl}</dl>'
        f'{body if ok else ""}'
        "<p>Check it yourself: <code>armory log verify THIS-FILE.html</code> recomputes every hash and "
        "signature from the data inside this page, then draws this page again from that data and compares "
        "it with the file, so an edit to the text you are reading is caught too; add <code>--head HEX</code> "
        "with the head hash noted on the call sheet. This box says what was true when the file was made: "
        "only that command can tell whether the file was changed since.</p></section>"
    )


def _last_signed(chain: Sequence[dict]) -> int | None:
    for entry in reversed(chain):
        if entry.get("kind") == "checkpoint":
            return as_int((entry.get("payload") or {}).get("size"))
    return None
