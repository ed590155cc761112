"""Writing an evidence bundle: the files of :mod:`armory.export.bundle`, in a directory that appears whole or not at all.

The files are written into a temporary directory beside the target, which is
then renamed to the target (a new or empty directory), so a bundle is never
half written and never mixed with other files.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from armory.export.bundle import _payload, build_index, find_incident, packs_in_force
from armory.export.clean import clean_all
from armory.problems import InputError


@dataclass(frozen=True)
class BundleWritten:
    """What an evidence bundle holds, for the one who asked to say it."""

    out: Path
    incident_seq: int
    chain: list[dict]
    index: dict
    verification: Any
    """The ledger's VerifyResult of ``chain``: a bundle whose chain does not verify was written and says so."""


def write_bundle(loaded: Any, incident_seq: int, out: Path) -> BundleWritten:
    """Write the evidence bundle of the incident entry ``incident_seq`` into the new or empty directory ``out``."""
    from armory.export.html_report import render_report
    from armory.export.jsonl import write_lines
    from armory.export.production_file import production_in_chain
    from armory.export.records import Names
    from armory.export.writing import sign, verify_loaded

    chain = loaded.entries
    incident = find_incident(clean_all(chain), incident_seq)
    _check_target_dir(out)
    verification = verify_loaded(loaded, chain)
    if verification.ok and loaded.writable:
        chain, verification = sign(loaded, chain, verification)
    elif verification.ok and chain[-1].get("kind") != "checkpoint":
        raise InputError(f"{loaded.ledger.path}: the ledger is read-only and no checkpoint follows its last "
                         "entries, so the bundle could not prove where the chain ends; export from a writable "
                         "ledger. Nothing written")
    signed_now = verification.ok and loaded.writable
    index = build_index(chain, incident_seq)
    packs = packs_in_force(chain, incident)
    names = Names(production_in_chain(chain) or loaded.production)
    html = render_report(incident_report_data(chain, incident_seq, names, verification,
                                              str(chain[-1].get("time", "")) if signed_now else None))

    try:
        tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp"))
    except OSError as err:
        raise InputError(f"cannot write the bundle {out}: {err.strerror or err}") from None
    try:
        with open(tmp / "chain.jsonl", "w", encoding="utf-8", newline="\n") as handle:
            write_lines(chain, handle)
        (tmp / "index.json").write_text(index_text(index), encoding="utf-8")
        (tmp / "incident.html").write_text(html, encoding="utf-8", newline="")
        (tmp / "packs").mkdir()
        for pack, _entry in packs:
            (tmp / "packs" / f"{pack.get('id')}-{pack.get('version')}.toml").write_text(
                str(pack.get("text", "")), encoding="utf-8", newline="")
        (tmp / "README.txt").write_text(readme(index, packs, verification), encoding="utf-8")
        for path in tmp.rglob("*"):
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        os.chmod(tmp, 0o755)
        if out.exists():
            out.rmdir()  # empty, checked above
        os.replace(tmp, out)
    except OSError as err:
        shutil.rmtree(tmp, ignore_errors=True)
        raise InputError(f"cannot write the bundle {out}: {err.strerror or err}") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise

    if verification.ok and loaded.writable:
        from armory.ledger.entries import ExportRecorded

        loaded.ledger.append("export_recorded", None, ExportRecorded(
            format="evidence-bundle", day=_payload(incident).get("day"), entries=len(chain),
            head_hash=str(chain[-1].get("hash", ""))))
    return BundleWritten(out, incident_seq, chain, index, verification)


def index_text(index: dict) -> str:
    """The index as JSON a person can read: one line per key, one line per subject and custody event."""

    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))

    parts = []
    for key, value in index.items():
        if key in ("by_subject", "custody") and isinstance(value, dict) and value:
            inner = []
            for sub, items in value.items():
                if key == "custody":
                    events = ",\n".join(f"      {dump(event)}" for event in items)
                    inner.append(f"    {dump(sub)}: [\n{events}\n    ]")
                else:
                    inner.append(f"    {dump(sub)}: {dump(items)}")
            parts.append(f"  {dump(key)}: {{\n" + ",\n".join(inner) + "\n  }")
        else:
            parts.append(f"  {dump(key)}: {dump(value)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def _check_target_dir(out: Path) -> None:
    """Refuse, before anything is signed, a target the bundle could not become.

    The bundle is a temporary directory renamed to ``out``, so ``out`` must be
    absent or an empty directory: a file, a device, a fifo or a symbolic link
    there would be replaced (or the rename fail after the checkpoint was signed).
    """
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(f"--out {out}: the directory {parent} does not exist")
    if out.is_symlink():
        raise InputError(f"--out {out}: is a symbolic link (to {os.readlink(out)}); a bundle is written as a new "
                         "directory and would replace the link; give a new directory")
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out}: already exists and is not a directory; give a new directory "
                         "(an evidence bundle is a directory of files)")
    if out.exists() and any(out.iterdir()):
        raise InputError(f"--out {out}: already exists and is not an empty directory; give a new directory "
                         "(a bundle is never mixed with other files)")
    if not os.access(parent, os.W_OK):
        raise InputError(f"cannot write the bundle {out}: {parent} is not writable")
    # os.access says yes to root everywhere (/proc, a read-only mount): try it, as the write will
    try:
        probe = tempfile.mkdtemp(dir=parent, prefix=f".{out.name}.", suffix=".probe")
        os.rmdir(probe)
    except OSError as err:
        raise InputError(f"cannot write the bundle {out}: {err.strerror or err} in {parent}; nothing was "
                         "signed or written") from None


def incident_report_data(chain: list[dict], incident_seq: int, names: Any, verification: Any,
                         generated: str | None) -> Any:
    """What incident.html shows: drawn from the chain alone, so ``log verify`` can draw it again and compare."""
    from armory.export.writing import jsonl_lines
    from armory.export.html_report import ReportData

    incident = find_incident(clean_all(chain), incident_seq)
    index = build_index(chain, incident_seq)
    shown = [e for e in chain if e.get("seq") in set(index["entries"])]
    title = f"Evidence: incident #{incident_seq} ({str(_payload(incident).get('incident', '')).replace('_', ' ')})"
    return ReportData(chain=chain, lines=jsonl_lines(chain), shown=shown, names=names, verification=verification,
                      title=title, intro_html=_intro_html(index, incident, names, chain), generated=generated,
                      incident=incident_seq)


def _when_html(incident: dict, names: Any, chain: list[dict]) -> str:
    """When the incident happened, as recorded: its day, the date that day was opened on (and the scheduled
    one where they differ) and the local time, never the schedule's date alone."""
    from html import escape

    from armory.export.openings import openings_by_seq
    from armory.export.records import assign_days, local_time, zone

    tz = zone(names.timezone)
    opening = openings_by_seq(chain, assign_days(chain), tz, names.production).get(incident.get("seq"))
    day = opening.brief() if opening is not None else str(_payload(incident).get("day"))
    zone_name = names.timezone if names.timezone != "UTC" else "UTC"
    return f"{escape(day)}, at {escape(local_time(str(incident.get('time', '')), tz)[:16])} ({escape(zone_name)})"


def _intro_html(index: dict, incident: dict, names: Any, chain: list[dict]) -> str:
    from html import escape

    inc = index["incident"]
    involved_ = index["involved"]
    rows = []
    for item, events in index["custody"].items():
        for event in events:
            who = event.get("to") or names.person(event.get("by"))
            extra = f", {event.get('agency')}, receipt {event.get('receipt')}" if event.get("receipt") else ""
            rows.append(f"<tr><th scope=\"row\">{escape(item)}</th><td>{escape(str(event.get('seal_id')))}</td>"
                        f"<td>{escape(event['event'])}</td><td>{escape(str(who))}{escape(extra)}</td>"
                        f"<td><a href=\"#e{event['seq']}\">#{event['seq']}</a></td></tr>")
    custody = ("<table><caption>Custody of each sealed item</caption><thead><tr><th scope=\"col\">Item</th>"
               "<th scope=\"col\">Seal</th><th scope=\"col\">Event</th><th scope=\"col\">Who</th>"
               "<th scope=\"col\">Entry</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
               if rows else "<p>No item was sealed for this incident.</p>")
    listed = "; ".join(f"{label}: {', '.join(values) or 'none'}" for label, values in (
        ("weapons", involved_["weapons"]), ("lots", involved_["lots"]),
        ("people", [names.person(p) if names.person(p) else p for p in involved_["people"]])))
    return (
        '<section id="incident" aria-labelledby="incident-h"><h2 id="incident-h">This evidence bundle</h2>'
        f"<p>Incident <a href=\"#e{inc['seq']}\">#{inc['seq']}</a> ({escape(str(inc['incident']))}) on "
        f"{_when_html(incident, names, chain)}, reported by "
        f"{escape(names.person(_payload(incident).get('reported_by')))}:</p>"
        f"<blockquote>{escape(str(_payload(incident).get('description', '')))}</blockquote>"
        "<p>The same bundle goes to the investigator, the prosecution and the defence.</p>"
        f"<p>Involved: {escape(listed)}. Below are the {len(index['entries'])} entries that touch them, out of "
        f"a chain of {index['chain']['entries']} entries carried whole in this file and in chain.jsonl.</p>"
        f"{custody}</section>"
    )


def readme(index: dict, packs: list[tuple[dict, dict]], verification: Any) -> str:
    inc = index["incident"]
    involved_ = index["involved"]
    pack_lines = "\n".join(
        f"                 {p.get('id')}-{p.get('version')}.toml (recorded in entry #{e.get('seq')}), file sha256\n"
        f"                 {p.get('hash')}"
        for p, e in packs) or "                 (no day was opened before the incident: no pack was in force)"
    status = "INTACT" if verification.ok else "DOES NOT VERIFY"
    return f"""EVIDENCE BUNDLE: incident #{inc['seq']} ({inc['incident']}), {inc['day']}, {inc['time']}

This one bundle is for everyone: the investigator, the prosecution and the
defence receive the same files. Nothing in it was selected by hand.

Contents
  chain.jsonl    The whole ledger, every entry from the first, up to a signed
                 checkpoint written after the incident: {index['chain']['entries']} entries, head
                 {index['chain']['head_hash']}.
                 Nothing can be left out of it without breaking the hash chain
                 or the signature.
  index.json     Every entry of the chain that touches the weapons, lots and
                 people involved, or refers to the incident; per subject, and the
                 custody of each sealed item. It is computed from the chain alone.
  incident.html  The same, to read in any browser (no network needed). It
                 embeds the whole chain too.
  packs/         The full text of each rule pack in force at the incident:
{pack_lines}
  README.txt     This file.

Involved
  weapons: {', '.join(involved_['weapons']) or 'none'}
  lots:    {', '.join(involved_['lots']) or 'none'}
  people:  {', '.join(involved_['people']) or 'none'}

Verification when the bundle was written: {status}; key fingerprint
{verification.key_fingerprint or 'unknown'}.

How to check it
  armory log verify chain.jsonl                   the hash chain and signatures
  armory log verify chain.jsonl --head HEX        a head hash noted on a call sheet
  armory log verify chain.jsonl --index index.json  recompute the index from the chain
  armory log verify incident.html                 the report carries the same chain

Without armory: each line of chain.jsonl is one entry in RFC 8785 canonical
JSON; remove its "hash" field and the SHA-256 of the remaining canonical
bytes is that hash; each entry's "prev" is the hash of the entry before it.
A "checkpoint" entry holds a C2SP signed note over the hash of the entry
before it, signed with the Ed25519 public key given in entry #1.

What "touches" means: an entry names one of the weapons (weapon, weapons,
a sealed item), one of the lots (lot, a sealed lot), one of the people (who
wrote it, giver, receiver, actor, reported by, caused by, witnesses, signed
by, investigator), or refers by number to the incident or to an entry
already indexed (the stop it caused, that stop's clearance and every
clearance of it that was refused, the incident's review and every review
of it that was refused). The weapons are the incident's and those sealed for it;
the lots are those sealed for it and those whose rounds were verified for
those weapons that day; the people are who reported it and everyone who
gave, received, witnessed or signed for those weapons that day, or sealed
or took custody of the items.
"""
