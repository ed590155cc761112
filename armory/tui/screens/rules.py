"""The safety officer's side: the packs in force, each rule's question, why and sources, the overview of
every rule against every weapon, and the production's bundled drills run with coverage."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Static

from armory.tui.screens.base import ArmoryScreen


class RulesScreen(ArmoryScreen):
    """Read-only: nothing here records anything, so nothing here asks for a PIN."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="rules.back", tooltip="Back to the previous screen"),
        Binding("o", "overview", "Overview", id="rules.overview",
                tooltip="Every rule against every weapon in every setup"),
        Binding("l", "list", "Rules", id="rules.list", tooltip="The rules of the packs in force"),
        Binding("d", "drills", "Run drills", id="rules.drills",
                tooltip="Run this production's bundled drills on a temporary ledger, with coverage"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rules: dict[str, tuple] = {}

    def body(self) -> ComposeResult:
        yield Static(id="rules-packs", markup=False)
        with Horizontal(id="rules-body"):
            yield DataTable(id="rules-table", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="rule-detail-box"):
                yield Static(id="rule-detail", markup=False)

    def refresh_state(self) -> None:
        super().refresh_state()
        session = self.session
        lines = ["Packs in force:"]
        for loaded in session.packs:
            info = loaded.pack.pack
            lines.append(f"  {info.id} {info.version}  sha256 {loaded.sha256[:16]}…  {info.title}")
        off = session.production.production.override
        if off:
            lines.append("Switched off by the production: " + "; ".join(
                f"{o.rule}{' for ' + ', '.join(o.weapons) if o.weapons else ''} ({o.reason})" for o in off))
        self.query_one("#rules-packs", Static).update("\n".join(lines))
        table = self.query_one("#rules-table", DataTable)
        if not table.columns:
            table.add_columns("rule", "phase", "severity")
            for loaded in session.packs:
                for rule in loaded.pack.rule:
                    self.rules[rule.id] = (rule, loaded)
                    table.add_row(rule.id, rule.phase.replace("_", " "), rule.severity, key=rule.id)
            if self.rules:
                self.show_rule(next(iter(self.rules)))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is not None and event.row_key.value in self.rules:
            self.show_rule(event.row_key.value)

    def show_rule(self, rule_id: str) -> None:
        rule, loaded = self.rules[rule_id]
        sources = {s.id: s for s in loaded.pack.source}
        lines = [f"{rule.id}: {rule.title}", f"{rule.severity.upper()} · {rule.phase.replace('_', ' ')} · "
                                              f"pack {loaded.pack.pack.id} {loaded.pack.pack.version}", ""]
        if rule.sense is not None:
            lines.append(f"Sensed from the ledger: {rule.sense}")
        else:
            lines.append(f"Asks: {rule.ask}")
            if rule.choices:
                lines.append(f"Choices: {', '.join(rule.choices)}")
        if rule.hazards:
            lines.append("Means a hazard: " + "; ".join(f"{k} = {v.replace('_', ' ')}" for k, v in rule.hazards.items()))
        if rule.required_before:
            lines.append(f"Required before: {', '.join(m.replace('_', ' ') for m in rule.required_before)}")
        lines += ["", f"Why: {rule.why}", "", "Sources:"]
        for cited in rule.sources:
            source = sources.get(cited)
            lines.append(f"  {cited}: {source.title if source else '?'}" + (f" <{source.url}>" if source and source.url else ""))
        lines.append(f"Prevents: {', '.join(rule.failures)}")
        self.query_one("#rule-detail", Static).update("\n".join(lines))

    def action_back(self) -> None:
        self.dismiss()

    def action_list(self) -> None:
        table = self.query_one("#rules-table", DataTable)
        if table.cursor_row is not None and table.row_count:
            key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
            self.show_rule(key)

    def action_overview(self) -> None:
        from armory.checklist.overview import render_table

        text = render_table(self.session.production, self.session.packs)
        self.query_one("#rule-detail", Static).update(text)

    def action_drills(self) -> None:
        self.query_one("#rule-detail", Static).update("Running the bundled drills on a temporary ledger…")
        self.run_drills()

    @work(thread=True, exclusive=True)
    def run_drills(self) -> None:
        text = drill_report(self.session.loaded_production.path)
        self.app.call_from_thread(self.query_one("#rule-detail", Static).update, text)


def drill_report(production_path) -> str:
    """The drills beside a production (``drills/*.toml``), each run on a temporary ledger, and which rules of
    its packs no drill fired."""
    import tempfile
    from pathlib import Path

    from armory.drills.runner import run_drill
    from armory.problems import InputError
    from armory.rulebook.loader import load_context

    folder = Path(production_path).parent / "drills"
    drills = sorted(folder.glob("*.toml")) if folder.is_dir() else []
    if not drills:
        return f"No drills beside this production ({folder})."
    _loaded, packs = load_context(Path(production_path))
    lines, fired, passed = [], set(), 0
    with tempfile.TemporaryDirectory() as tmp:
        for n, path in enumerate(drills):
            try:
                result = run_drill(path, Path(tmp) / f"drill-{n}.sqlite", key_path=Path(tmp) / "device.key")
            except InputError as err:
                lines.append(f"ERROR {path.name}: {err.message}")
                continue
            fired |= result.fired
            passed += result.passed
            lines.append(f"{'PASS' if result.passed else 'FAIL'}  {path.name}: {result.drill.drill.title} "
                         f"(outcome {result.outcome})")
            lines.extend(f"      - {d}" for d in result.diff)
    rule_ids = [r.id for p in packs for r in p.pack.rule]
    never = [r for r in rule_ids if r not in fired]
    lines.insert(0, f"{passed} of {len(drills)} drills pass; coverage: {len(rule_ids) - len(never)} of "
                    f"{len(rule_ids)} rules fired in some drill")
    if never:
        lines.append("Never fired: " + ", ".join(never))
    return "\n".join(lines)
