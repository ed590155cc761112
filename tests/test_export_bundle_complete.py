"""Every incident of every bundled drill: its bundle holds every entry that names it, and its page counts and
lists exactly what the bundle covers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from armory.export.bundle import build_index
from armory.export.records import Names, clean_all

ROOT = Path(__file__).resolve().parent.parent
DRILLS = sorted(ROOT.glob("sample_productions/*/drills/*.toml"))


PRODUCTIONS = sorted({path.parent.parent.name for path in DRILLS})


@pytest.fixture(scope="module", params=PRODUCTIONS)
def chain(request, tmp_path_factory) -> list[dict]:
    """Every bundled drill of one production played on one ledger, each in a run of its own."""
    from armory.cli import main
    from armory.export.writing import read_entries
    from armory.ledger.store import Ledger

    path = tmp_path_factory.mktemp("drills") / f"{request.param}.sqlite"
    drills = [str(d) for d in DRILLS if d.parent.parent.name == request.param]
    assert main(["rules", "test", "--ledger", str(path), *drills]) == 0
    with Ledger.open(path, create=False, readonly=True) as ledger:
        return clean_all(read_entries(ledger))


def _names(entry: dict) -> tuple[set[str], set[str]]:
    """(weapons, lots) an entry names."""
    p = entry["payload"]
    weapons = {w for w in [p.get("weapon"), *(p.get("weapons") or [])] if w}
    lots = {p["lot"]} if p.get("lot") else set()
    if p.get("item"):
        (lots if p.get("item_kind") == "lot" else weapons).add(p["item"])
    return weapons, lots


def _naming(chain: list[dict], incident: dict) -> set[int]:
    """Every entry of the incident's run that names it, its stops, its weapons, lots and seals: worked out
    here on its own, not with the bundle's code."""
    seq, scope = incident["seq"], incident["scope"]
    run = [e for e in chain if e["scope"] == scope]
    stops = {e["seq"] for e in run if e["kind"] == "stop" and e["payload"].get("from_seq") == seq}
    seals = [e for e in run if e["kind"] == "seal" and e["payload"].get("incident_seq") == seq]
    weapons = {incident["payload"]["weapon"]} if incident["payload"].get("weapon") else set()
    weapons |= {e["payload"]["item"] for e in seals if e["payload"].get("item_kind") == "weapon"}
    lots = {e["payload"]["item"] for e in seals if e["payload"].get("item_kind") == "lot"}
    naming = set()
    for entry in run:
        p = entry["payload"]
        named_weapons, named_lots = _names(entry)
        if (entry["seq"] == seq or p.get("incident_seq") == seq or p.get("from_seq") == seq
                or p.get("stop_seq") in stops or named_weapons & weapons or named_lots & lots):
            naming.add(entry["seq"])
    return naming


def test_each_refused_clearance_names_its_stop(chain):
    refused = [e for e in chain if e["kind"] == "refusal" and e["payload"].get("action") == "clearance"]
    assert all(isinstance(e["payload"].get("stop_seq"), int) for e in refused)


def test_every_bundle_of_every_incident_leaves_nothing_naming_it_out(chain):
    incidents = [e for e in chain if e["kind"] == "incident"]
    for incident in incidents:
        index = build_index(chain, incident["seq"])
        left_out = _naming(chain, incident) - set(index["entries"])
        assert not left_out, f"incident #{incident['seq']} ({incident['scope']}): left out {sorted(left_out)}"
        assert all(chain[s - 1]["scope"] == incident["scope"] for s in index["entries"])


def test_every_incident_page_counts_and_lists_only_what_its_bundle_covers(chain):
    from armory.export.bundle_write import incident_report_data
    from armory.export.html_report import render_report
    from armory.ledger.verify import verify_entries

    verification = verify_entries(chain)
    for incident in (e for e in chain if e["kind"] == "incident"):
        index = build_index(chain, incident["seq"])
        covered = set(index["entries"])
        page = render_report(incident_report_data(chain, incident["seq"], Names(), verification, None))
        summary = page[page.index('id="summary"'):page.index('id="timeline"')]
        listed = {int(s) for s in re.findall(r'<strong>(?:Stop still open|Incident not yet reviewed|Hold never '
                                             r'overridden)</strong> \(<a href="#e(\d+)">', summary)}
        assert listed <= covered, f"incident #{incident['seq']}: lists {sorted(listed - covered)} it does not cover"
        stops = sum(1 for s in covered if chain[s - 1]["kind"] == "stop")
        assert f'<th scope="row">Stops</th><td class="num">{stops}</td>' in summary
