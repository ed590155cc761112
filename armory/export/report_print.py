"""What every printed page of a report carries in its margins: the production, the head hash and key
fingerprint of the chain the file holds, how to check it, and "page x of n".

A small print-only style of ``@page`` margin boxes (Chromium prints them since version 131; a browser
without them prints the page without its margins). Drawn from the verified chain alone, so ``armory log
verify`` draws it again like the rest of the page.
"""

from __future__ import annotations

from typing import Any, Sequence


def css_string(text: str) -> str:
    """``text`` as a CSS string: quotes and backslashes escaped, and ``<`` too, so it can never close the
    ``<style>`` element; line breaks as spaces."""
    out = []
    for char in " ".join(text.split()):
        if char in '"\\':
            out.append("\\" + char)
        elif char == "<" or ord(char) < 32:
            out.append(f"\\{ord(char):x} ")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def print_proof_css(production_title: str, verification: Any, chain: Sequence[dict]) -> str:
    """The proof every printed page carries, in its margins: the production, the head hash and key
    fingerprint of the chain this file holds, and "page x of n" (``@page`` margin boxes, which Chromium
    prints since version 131; other browsers print the page without them)."""
    ok = bool(getattr(verification, "ok", False))
    head = str(getattr(verification, "head", "") or "")
    entries = getattr(verification, "entries", len(chain))
    key = str(getattr(verification, "key_fingerprint", "") or "unknown")
    if ok and head:
        proof = f"head #{entries} {head[:16]} · key {key}"
    else:
        proof = "DOES NOT VERIFY: see the first page · key " + key
    return ("<style media=\"print\">@page { margin: 16mm 12mm 16mm;"
            f" @top-left {{ content: {css_string(production_title)}; font: 8pt sans-serif; }}"
            f" @top-right {{ content: {css_string(proof)}; font: 8pt monospace; }}"
            " @bottom-left { content: \"Check it: armory log verify FILE --head \" "
            f"{css_string(head[:16] if ok else 'HEX')}; font: 8pt sans-serif; }}"
            " @bottom-right { content: \"page \" counter(page) \" of \" counter(pages); font: 8pt sans-serif; } }"
            "</style>")
