"""Round by round: how each round going into the weapon was shown to be a dummy or a blank."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import OptionList, Static

from armory.problems import InputError
from armory.tui.screens.base import ArmoryScreen
from armory.tui.widgets.choices import ChoiceList
from armory.tui.words import FAILED, PASSED


class RoundsScreen(ArmoryScreen):
    BINDINGS = [
        Binding("escape", "back", "Back", id="rounds.back", tooltip="Back to the board; verified rounds are kept"),
    ]

    def __init__(self, day: str, scene: str, setup: str, weapon: str) -> None:
        super().__init__()
        self.day, self.scene, self.setup, self.weapon = day, scene, setup, weapon
        self.last: tuple[str, str] | None = None

    @property
    def position(self) -> dict:
        return {"screen": "rounds", "day": self.day, "scene": self.scene, "setup": self.setup, "weapon": self.weapon}

    def body(self) -> ComposeResult:
        with VerticalScroll(id="rounds-body"):
            yield Static(id="progress-line", markup=False)
            yield Static(id="verdict", markup=False)
            yield Static(id="question", markup=False)
            yield ChoiceList(id="methods")
            yield Static(id="rounds-done", markup=False)

    def on_mount(self) -> None:
        self.app.note_position(self.position)
        super().on_mount()

    @property
    def issue(self):
        return self.session.issue_of(self.day, self.scene, self.setup, self.weapon)

    def verified(self) -> dict:
        from armory.checklist.round_checks import rounds_verified

        return rounds_verified(self.session, self.day, self.scene, self.setup, self.weapon)

    def next_round(self) -> int | None:
        done = self.verified()
        # A round that failed is asked again (once its stop is cleared): only a passed round is verified.
        return next((n for n in range(1, self.issue.rounds + 1) if n not in done or done[n].verdict != "pass"),
                    None)

    def refresh_state(self) -> None:
        super().refresh_state()
        from armory.checklist.round_checks import BY_CHECKS
        from armory.checklist.types import ROUND_METHOD_WORDS, ROUND_METHODS

        issue = self.issue
        done = self.verified()
        self.query_one("#progress-line", Static).update(
            f"Rounds for {self.weapon}, scene {self.scene} setup {self.setup}: {issue.load} from lot "
            f"{issue.lot or '-'}; {sum(1 for r in done.values() if r.verdict == 'pass')} of {issue.rounds} verified")
        verdict = self.query_one("#verdict", Static)
        verdict.display = self.last is not None
        if self.last:
            verdict.set_classes(self.last[0])
            verdict.update(self.last[1])
        marks = " ".join(f"{n}{PASSED if r.verdict == 'pass' else FAILED}" for n, r in sorted(done.items())
                         if r.method != BY_CHECKS)
        self.query_one("#rounds-done", Static).update(f"Verified: {marks}" if marks else "")
        question = self.query_one("#question", Static)
        methods = self.query_one("#methods", OptionList)
        round_no = self.next_round()
        if round_no is None:
            by_checks = any(r.method == BY_CHECKS for r in done.values())
            question.update(f"{PASSED} Every round is verified"
                            + (" (each one looked at in the per-round checks, c)" if by_checks else "")
                            + ". Esc: back to the board.")
            methods.display = False
            return
        sealed = self.session.sealed_items()
        frozen = [item for item in (self.weapon, issue.lot) if item and item in sealed]
        if frozen:
            question.update(f"{FAILED} {', '.join(frozen)} sealed as evidence: no round goes into {self.weapon} "
                            "from here. Esc: back to the board.")
            methods.display = False
            return
        stops = self.session.state.stops_on(self.weapon)
        if stops:
            # Nothing more goes into a stopped weapon; the stop screen and banner say who clears it.
            question.update(f"{FAILED} {self.weapon} is STOPPED (#{stops[0].seq}): no more rounds go into it "
                            "until a safety officer clears the stop. Esc: back to the board.")
            methods.display = False
            return
        kind = "dummy" if issue.load == "dummies" else "blank"
        question.update(f"Round {round_no} of {issue.rounds}: how was it shown to be a {kind}?")
        fitting = [m for m, load in ROUND_METHODS.items() if load == issue.load]
        options = [(f"{PASSED} {ROUND_METHOD_WORDS[m]}", m) for m in fitting]
        options.append((f"? {ROUND_METHOD_WORDS['unconfirmed']} (STOPS EVERY FIREARM)", "unconfirmed"))
        options.append((f"{FAILED} {ROUND_METHOD_WORDS['live']} (STOPS EVERY FIREARM)", "live"))
        # Nothing highlighted: Enter held down must never verify round after round unseen.
        methods.set_choices(options)
        methods.display = True
        methods.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        round_no = self.next_round()
        if round_no is None:
            return
        try:
            verdict = self.session.verify_round(day=self.day, scene=self.scene, setup=self.setup,
                                                weapon=self.weapon, round_no=round_no,
                                                method=str(event.option.id), by=self.app.operator)
        except InputError as err:
            self.app.report(err)
            return
        mark = PASSED if verdict.passed else FAILED
        self.last = ("verdict-pass" if verdict.passed else "verdict-fail", f"{mark} {verdict.message}")
        self.app.after_action()

    def action_back(self) -> None:
        self.app.note_position({"screen": "board", "day": self.day})
        self.dismiss()
