"""Checks: one question at a time, blind, each answer durable before the next is shown.

The screen asks the engine for the checklist of one target (the day, or one
weapon in one setup) and shows the first pending item. The expected value is
never on screen before the answer; it appears with the verdict, above the
next question. Sensed items (judged from the ledger) are listed apart and
take no input.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Input, OptionList, Static

from armory.checklist.handoff import asked_at_handover
from armory.problems import InputError
from armory.tui.screens.base import ArmoryScreen
from armory.tui.screens.handover import counters
from armory.tui.widgets.choices import ChoiceList
from armory.tui.widgets.guard import AnswerInput
from armory.tui.words import FAILED, PASSED, SENSED, item_mark, status_words


class ChecksScreen(ArmoryScreen):
    BINDINGS = [
        Binding("escape", "back", "Back", id="checks.back",
                tooltip="Back to the previous screen; answers given so far are kept"),
        Binding("f2", "why", "Why / source", id="checks.why",
                tooltip="Why this rule exists and which source backs it"),
        Binding("f3", "override", "Override hold", id="checks.override",
                tooltip="A failed hold goes on only with a signed override and a reason"),
        Binding("f4", "correct", "Correct", id="checks.correct",
                tooltip="Correct a mistyped answer: a new entry pointing at it, with a reason"),
        Binding("f6", "sign_checks", "Sign checks", id="checks.sign",
                tooltip="The day-start checks end with the armorer's signature, once every one is answered"),
    ]

    def __init__(self, day: str, phases: Sequence[str], scene: str | None = None,
                 setup: str | None = None, weapon: str | None = None) -> None:
        super().__init__()
        self.day = day
        self.notice: tuple[str, str] | None = None
        """(item key, message) beside the answer of that question while it is shown."""
        self.phases = tuple(phases)
        self.scene, self.setup, self.weapon = scene, setup, weapon
        self.items: list = []
        self.at_handover: list = []
        """Pending checks asked at the handover instead (the counts of those shown the load)."""
        self.current = None
        self.round_answers: list[str] = []
        self.round_group: list = []
        """The per-round checks asked together, one pick a round (rattle, primer and side hole of one dummy)."""
        self.group_options: dict[str, dict[str, str]] = {}
        """For a grouped question: option id -> {check key: the value that option answers for it}."""
        self.last_verdict: tuple[str, str] | None = None
        self.last_verdict_key: str | None = None
        """The check the last verdict is about: hidden when that check is asked again."""
        self.showing_why = False
        self.leaving = False
        self.unsure: tuple[str, int, str] | None = None
        """(check key, round, value) of a value asked again as implausible: typed once more, it is recorded."""
        self.shown: dict[str, str] = {}
        self.restored_rounds: dict[str, list[str]] = {}
        """Per-round answers given before a crash, from the position file, keyed by check key."""

    @property
    def position(self) -> dict:
        return {"screen": "checks", "day": self.day, "phases": list(self.phases),
                "scene": self.scene, "setup": self.setup, "weapon": self.weapon}

    def body(self) -> ComposeResult:
        with VerticalScroll(id="check-body"):
            yield Static(id="progress-line", markup=False)
            yield Static(id="verdict", markup=False)
            yield Static(id="question", markup=False)
            yield AnswerInput(id="answer")
            yield ChoiceList(id="choices")
            yield Static("", id="answer-msg", classes="field-error")
            yield Static(id="why", markup=False)
            yield Static(id="sensed", markup=False)

    def on_mount(self) -> None:
        if not self.restored_rounds:
            self.app.note_position(self.position)
        super().on_mount()

    # -- what to ask -------------------------------------------------------
    def load_items(self) -> None:
        items = []
        for phase in self.phases:
            items.extend(self.session.checklist(day=self.day, phase=phase, scene=self.scene,
                                                setup=self.setup, weapon=self.weapon))
        self.items = items

    def target_words(self) -> str:
        if self.weapon:
            return f"{self.weapon} in scene {self.scene}, setup {self.setup}"
        return f"the day {self.day}"

    def refresh_state(self) -> None:
        super().refresh_state()
        self.load_items()
        asked = [i for i in self.items if not i.sensed]
        sensed = [i for i in self.items if i.sensed]
        # The counts of those shown the load are typed in the handover's signing dialog, each above its PIN.
        self.at_handover = [i for i in asked if i.status == "pending" and asked_at_handover(i)]
        later = {i.key for i in self.at_handover}
        pending = [i for i in asked if self.askable(i) and i.key not in later]
        done = len(asked) - len(pending) - len(later)
        phases = ", ".join(p.replace("_", " ") for p in self.phases)
        self.put("#progress-line",
            f"{phases} checks for {self.target_words()}: {done} of {len(asked)} answered"
            + (f"; {len(later)} asked at the handover" if later else "")
            + (f"; {len(self.open_holds())} failed hold(s) need a signed override (f3)" if self.open_holds() else "")
        )
        verdict = self.query_one("#verdict", Static)
        next_item = pending[0] if pending else None
        if next_item is not None and next_item.status == "failed" and next_item.key == self.last_verdict_key:
            # Asked again after its stop was cleared: blind, like the first time. The earlier answer and the
            # expected value stay on record (and on the stop screen), not above the question.
            self.last_verdict = None
        if self.last_verdict:
            css, text = self.last_verdict
            self.put("#verdict", text)
            verdict.set_classes(css)
            verdict.display = True
        else:
            verdict.display = False
        if sensed:
            lines = [f"{SENSED} Sensed from the ledger (nobody answers these):"]
            for item in sensed:
                lines.append(f"  {item_mark(item.status)} {item.rule.title}: {sensed_words(item)}")
            self.put("#sensed", "\n".join(lines))
        else:
            self.put("#sensed", "")
        group = self.group_for(next_item, pending)
        if (next_item is None or self.current is None or next_item.key != self.current.key
                or [i.key for i in group] != [i.key for i in self.round_group]):
            self.round_answers = list(self.restored_rounds.get(next_item.key, [])) if next_item else []
            self.restored_rounds = {}
        self.current = next_item
        self.round_group = group
        self.show_question()

    def put(self, selector: str, text: str) -> None:
        """Update a Static only when its text changes: every update costs a layout pass."""
        if self.shown.get(selector) != text:
            self.shown[selector] = text
            self.query_one(selector, Static).update(text)

    def askable(self, item) -> bool:
        """Not yet answered; or failed as a stop whose stop a safety officer has since cleared: the engine
        wants it answered again once fixed (a failed hold goes on only by an override, f3)."""
        if item.status == "pending":
            return True
        if item.status != "failed" or item.severity != "stop" or item.answer_seq is None:
            return False
        return not any(stop.from_seq == item.answer_seq for stop in self.session.state.open_stops)

    def next_step(self) -> str:
        """What the board still wants for this weapon after its checks: its rounds, one by one."""
        if not (self.weapon and self.scene and self.setup):
            return ""
        if self.phases == ("on_return",):
            return f"\n{self.weapon} is back in the armory, its return checked. Esc: the board."
        issue = self.session.issue_of(self.day, self.scene, self.setup, self.weapon)
        weapon_state = self.session.state.weapons.get(self.weapon)
        seal = getattr(weapon_state, "sealed", None)
        if seal:
            # Evidence is never loaded or handed over again: what is true of it now, not the day's plan.
            if getattr(weapon_state, "investigator", None):
                return f"\n{self.weapon} is evidence (seal {seal}) in an investigator's custody: it is not used again."
            return (f"\n{self.weapon} is sealed as evidence (seal {seal}): it is not loaded or handed over again; "
                    "it moves only to a named investigator (e on the first screen).")
        from armory.checklist.round_checks import rounds_verified

        verified = sum(1 for r in rounds_verified(self.session, self.day, self.scene, self.setup, self.weapon).values()
                       if r.verdict == "pass")
        if issue.rounds and verified < issue.rounds:
            return (f"\nNext: on the board, v verifies each of the {issue.rounds} rounds as it goes into "
                    f"{self.weapon} ({verified} done); then h hands it over.")
        return f"\nNext: on the board, h hands {self.weapon} over." if issue.actor else ""

    def open_holds(self) -> list:
        return [i for i in self.items if i.status == "failed" and i.severity == "hold"]

    def say(self, item, message: str) -> None:
        """A message beside the answer of ``item`` that stays while that question is shown (a signing
        dialog closing redraws the screen, which would otherwise wipe a refusal before anyone read it)."""
        self.notice = (item.key, message)
        self.put("#answer-msg", message)

    def show_question(self) -> None:
        item = self.current
        field = self.query_one("#answer", Input)
        choices = self.query_one("#choices", OptionList)
        notice = self.notice
        self.put("#answer-msg", notice[1] if notice and item is not None and notice[0] == item.key else "")
        dropped = self.query_one("#answer", AnswerInput).rearm()
        if dropped:
            self.put("#answer-msg", f"✗ {dropped} key(s) typed before this question appeared were ignored: "
                     "type the answer to this one.")
        if item is None:
            field.display = choices.display = False
            holds = self.open_holds()
            if holds:
                self.put("#question", f"{FAILED} Every question is answered, but {len(holds)} failed hold(s) "
                         "must be overridden with a signed reason (f3) before anything goes on.")
            else:
                signed = ""
                if self.ready_to_sign():
                    signed = "\nThe armorer signs them to end the day-start checks: f6."
                elif self.phases == ("day_start",) and (self.day, "day_start") in self.session.state.checks_signed:
                    signed = "\nSigned by the armorer."
                there = ""
                if self.at_handover:
                    there = (f"\nAsked at the handover, not here: {counters(self.at_handover)} each type their count "
                             "of the load they were shown, and sign it with their PIN, as they sign the handover.")
                self.put("#question", f"{PASSED} Every question here is answered. Esc: back.{signed}{there}"
                         f"{self.next_step()}")
            self.update_why()
            return
        position = ""
        if item.status == "failed":
            position = "Answer again (the stop it caused was cleared): "
        if item.per_round:
            position += f"Round {len(self.round_answers) + 1} of {item.per_round}: "
        if self.round_group:
            self.show_group(position)
            return
        severity = {"stop": "STOP if failed", "hold": "HOLD if failed", "note": "note"}[item.severity]
        kind = item.answer_kind
        how = "its number, then Enter" if kind in ("choice", "yes_no") else "type, then Enter"
        self.put("#question", f"{position}{item.question}\n[{item.rule.id} · {severity} · {how} · f2: why]")
        if kind in ("choice", "yes_no"):
            field.display = False
            options = list(item.choices) if kind == "choice" else ["yes", "no"]
            # Nothing highlighted: a stray second Enter must not answer the next question too.
            choices.set_choices([(text, text) for text in options])
            choices.display = True
            self.set_focus(choices)
        else:
            choices.display = False
            field.display = True
            field.value = ""
            field.placeholder = {
                "count": "the number you counted",
                "digits": "as written on the part",
                # The clock the engine judges by (the production's time zone), as a wall clock would show.
                "time": f"HHMM or HH:MM, 24-hour (it is now {self.session.local_now():%H:%M %Z})",
                "measurement": f"distance with unit ({item.unit or 'feet'})",
                "text": "in plain words",
            }.get(kind or "", "")
            self.set_focus(field)
        self.update_why()

    def group_for(self, item, pending: list) -> list:
        """The per-round checks of this weapon asked together with ``item``, one pick a round, or [].

        Each round is looked at once (shaken, its primer pocket and its case seen) and told in one pick:
        the options are every combination that passes (few: one passing answer each but the primer's two)
        and each failing answer on its own, which is recorded at once as the failing rule's answer."""
        if item is None or not item.per_round or item.answer_kind != "choice" or item.status != "pending":
            return []
        operator = self.app.operator
        group = [i for i in pending if i.per_round == item.per_round and i.answer_kind == "choice"
                 and i.status == "pending" and i.phase == item.phase]
        if len(group) < 2 or not operator:
            return []
        if any(not (self.session.roles(operator, i.day) & set(i.asked_of)) for i in group):
            return []  # someone else answers one of them, and signs it: asked one by one
        passing = [[c for c in i.choices if not self.session.round_fails(i, c)] for i in group]
        combos = 1
        for values in passing:
            combos *= len(values)
        if not all(passing) or combos > 4:
            return []
        options: dict[str, dict[str, str]] = {}
        picks: list[dict[str, str]] = [{}]
        for i, values in zip(group, passing):
            picks = [{**pick, i.key: value} for pick in picks for value in values]
        for n, pick in enumerate(picks):
            options[f"pass-{n}"] = pick
        for index, i in enumerate(group):
            for choice in i.choices:
                if choice not in passing[index]:
                    options[f"fail-{index}-{choice}"] = {i.key: choice}
        self.group_options = options
        return group

    def group_words(self, option_id: str) -> str:
        values = self.group_options[option_id]
        if option_id.startswith("pass-"):
            return " · ".join(values[i.key] for i in self.round_group)
        (key, value), = values.items()
        item = next(i for i in self.round_group if i.key == key)
        return f"{item.rule.title}: {value}  (STOP)"

    def show_group(self, position: str) -> None:
        """One question for a round: every per-round check of the group, one pick."""
        group = self.round_group
        choices = self.query_one("#choices", ChoiceList)
        self.query_one("#answer", Input).display = False
        looks = "\n".join(f"  · {i.question}" for i in group)
        rules = ", ".join(i.rule.id for i in group)
        self.put("#question", f"{position}this round, each of:\n{looks}\n[{rules} · STOP if failed · its number, "
                 "then Enter · f2: why]")
        choices.set_choices([(self.group_words(option_id), option_id) for option_id in self.group_options])
        choices.display = True
        self.set_focus(choices)
        self.update_why()

    def update_why(self) -> None:
        why = self.query_one("#why", Static)
        item = self.current
        if not self.showing_why or item is None:
            why.display = False
            return
        items = self.round_group or [item]
        why.update("\n".join(f"Why{' (' + i.rule.title + ')' if len(items) > 1 else ''}: {i.why}\nSources: "
                             f"{', '.join(i.sources)} · prevents {', '.join(i.failures)} · pack {i.pack_id}"
                             for i in items))
        why.display = True

    # -- answering ---------------------------------------------------------
    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.current is not None and self.current.answer_kind not in ("choice", "yes_no"):
            self.take(event.value)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.round_group:
            self.take_group(str(event.option.id))
        elif self.current is not None and self.current.answer_kind in ("choice", "yes_no"):
            self.take(str(event.option.id))

    def take_group(self, option_id: str) -> None:
        """One round of a grouped question: kept until the last round, or recorded at once when it fails."""
        group, item = self.round_group, self.current
        if option_id not in self.group_options or item is None:
            return
        self.notice = None
        self.leaving = False
        self.round_answers.append(option_id)
        if option_id.startswith("fail-"):
            # The failing check is recorded at once, with the rounds before it (they passed it); the others
            # stay to be asked again, every round, once the stop is cleared.
            (key, _value), = self.group_options[option_id].items()
            failing = next(i for i in group if i.key == key)
            observed = [self.group_options[o].get(key, "") for o in self.round_answers]
            self.round_answers = []
            self.app.note_position(self.position)
            self.record(failing, observed, self.app.operator)
            return
        if len(self.round_answers) < item.per_round:
            self.app.note_position({**self.position, "item": item.key, "rounds": self.round_answers})
            self.show_question()
            return
        picks, self.round_answers = self.round_answers, []
        self.app.note_position(self.position)
        for check in group:
            observed = [self.group_options[o][check.key] for o in picks]
            try:
                self.session.answer(check, observed, by=self.app.operator)
            except InputError as err:
                self.say(item, f"✗ {err.message}")
                self.app.after_action()
                return
        self.last_verdict_key = item.key
        self.last_verdict = ("verdict-pass", f"{PASSED} {', '.join(i.rule.title for i in group)}: passed for each "
                             f"of the {item.per_round} rounds.")
        self.app.after_action()

    def take(self, raw: str) -> None:
        item = self.current
        if item is None:
            return
        self.notice = None  # a new answer: the last refusal has been read
        from armory.checklist.judge import parse

        try:
            value = parse(item.rule, raw)
        except InputError as err:
            self.query_one("#answer", AnswerInput).rearm()
            self.put("#answer-msg", f"✗ {err.message}")
            return
        doubt = self.doubt(item, value)
        if doubt and self.unsure != (item.key, len(self.round_answers), value):
            # Asked once more, blind as before: the same value typed again is recorded as it is.
            self.unsure = (item.key, len(self.round_answers), value)
            self.query_one("#answer", AnswerInput).rearm()
            self.query_one("#answer", Input).value = ""
            self.put("#answer-msg", f"? {doubt} Type it again to record it as it is, or type what you meant.")
            return
        self.unsure = None
        self.round_answers.append(value)
        self.leaving = False
        # A round that fails is recorded at once (and stops or holds): the rounds after it are not asked.
        if item.per_round and len(self.round_answers) < item.per_round and not self.session.round_fails(item, value):
            # Rounds answered so far are not an answer yet; the position file keeps them across a crash.
            self.app.note_position({**self.position, "item": item.key, "rounds": self.round_answers})
            self.show_question()
            return
        observed, self.round_answers = self.round_answers, []
        if item.per_round:
            self.app.note_position(self.position)
        asked_of = set(getattr(item, "asked_of", ()) or ())
        operator = self.app.operator
        if asked_of and operator and not (self.session.roles(operator, item.day) & asked_of):
            self.sign_answer(item, observed, asked_of)
            return
        self.record(item, observed, operator)

    def doubt(self, item, value: str) -> str | None:
        """Why a typed value looks like a slip (5555 chambers, a time still to come), or None."""
        if item.answer_kind in ("choice", "yes_no"):
            return None
        from armory.checklist.plausible import implausible

        session = self.session
        facts = session.facts(item.day, item.scene, item.setup, item.weapon)
        lot = session.production.lot_by_id(facts["setup.lot"]) if facts.get("setup.lot") else None
        return implausible(item.rule, value, facts, session.local_now(), lot.count if lot else None)

    def sign_answer(self, item, observed: list[str], asked_of: set[str]) -> None:
        """Someone other than the armorer answers (the actor shown the load): they sign their own answer."""
        from armory.tui.screens.sign import SignModal, Signer

        app = self.app
        who = " or ".join(sorted(r.replace("_", " ") for r in asked_of))
        choices = app.crew_choices(self.day, asked_of)
        preselect = None
        if self.weapon and self.scene and "actor" in asked_of:
            preselect = self.session.issue_of(self.day, self.scene, self.setup, self.weapon).actor

        def signed(result) -> None:
            if result is None:
                self.say(item, f"✗ not recorded: the {who} must sign this answer")
                self.show_question()
                return
            self.record(item, observed, result.signed_by[0])

        app.push_screen(SignModal(
            f"The {who} signs this answer", [item.question, f"Answer given: {', '.join(observed)}"],
            [Signer(f"Answered by ({who})", choices, crew_id=preselect)],
            purpose=f"answer {item.rule.id}", authenticate=app.authenticate, confirm_label="Sign the answer",
            by_itself=True),
            signed)

    def record(self, item, observed: list[str], by: str) -> None:
        try:
            verdict = self.session.answer(item, observed, by=by)
        except InputError as err:
            self.say(item, f"✗ {err.message}")
            self.app.after_action()  # a refusal is on record; the banner and board may change
            return
        shown = ", ".join(observed)
        self.last_verdict_key = item.key
        if verdict.passed:
            # Not the expected value: the next question may ask someone else to count the same rounds.
            self.last_verdict = ("verdict-pass", f"{PASSED} {item.rule.title}: passed. You entered {shown}.")
        else:
            self.last_verdict = ("verdict-fail", f"{FAILED} You entered {shown}. {verdict.message}")
        self.app.after_action()
        if verdict.needs_override:
            self.override(verdict.entry_seq, item, by_itself=True)
        elif self.ready_to_sign():
            self.action_sign_checks(by_itself=True)  # the last day-start answer: the armorer signs them

    # -- overrides, corrections, why ----------------------------------------
    def action_why(self) -> None:
        self.showing_why = not self.showing_why
        self.update_why()

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "override":
            return bool(self.open_holds())
        if action == "correct":
            return any(i.answer_seq and not i.sensed for i in self.items)
        if action == "sign_checks":
            return self.ready_to_sign()
        return True

    def ready_to_sign(self) -> bool:
        """The day-start checks, every one answered and none failed unresolved, not yet signed."""
        from armory.tui.screens.sign_checks import ready_to_sign

        return self.phases == ("day_start",) and ready_to_sign(self.session, self.day)

    def action_sign_checks(self, by_itself: bool = False) -> None:
        """The armorer signs the day-start checks (their PIN); a cancel leaves them answered, unsigned (f6)."""
        if not self.ready_to_sign():
            return
        from armory.tui.screens.sign_checks import sign_day_start

        sign_day_start(self.app, self.day, by_itself=by_itself,
                       cancelled=lambda: self.put("#answer-msg", "✗ not signed yet: f6 signs the day-start checks"))

    def action_override(self) -> None:
        holds = self.open_holds()
        if not holds:
            return
        if len(holds) == 1:
            self.override(holds[0].answer_seq, holds[0])
            return
        from armory.tui.screens.pick import PickModal

        choices = [(f"{FAILED} {i.rule.title} (answered {', '.join(i.observed or ())})", i) for i in holds]
        self.app.push_screen(PickModal("Which hold is overridden?", choices),
                             lambda item: self.override(item.answer_seq, item) if item else None)

    def override(self, answer_seq: int, item, *, by_itself: bool = False) -> None:
        from armory.tui.screens.sign import SignModal, Signer

        app = self.app

        def signed(result) -> None:
            if result is None:
                return
            try:
                self.session.override(answer_seq, reason=result.reason, signed_by=result.signed_by)
            except InputError as err:
                app.report(err)
            else:
                self.last_verdict = ("verdict-pass", f"! {item.rule.title}: the failed hold is overridden, signed by "
                                     f"{app.crew_name(result.signed_by[0])}; it goes on, and the record keeps why.")
            app.after_action()

        summary = [f"Failed hold: {item.rule.title} ({item.rule.id})",
                   f"Asked: {item.question}",
                   "It goes on only if a safety officer signs that it is safe, and why. The officer must not be "
                   "the 1st AD, nor the one who answered, nor someone the hold is about."]
        officers = app.crew_choices(self.day, {"safety_officer"}) or app.crew_choices(self.day)
        app.push_screen(SignModal(
            "Override a failed hold", summary,
            [Signer("Safety officer signing the override", officers)],
            purpose="override", authenticate=app.authenticate, by_itself=by_itself,
            reason_label="Why it is safe to go on", confirm_label="Sign override"), signed)

    def action_correct(self) -> None:
        from armory.tui.screens.correct import choose_and_correct

        choose_and_correct(self.app, [i for i in self.items if i.answer_seq and not i.sensed], self.day)

    def action_back(self) -> None:
        # The why panel is f2's to close: Esc leaves at once, open panel or not (a first Esc that only
        # closed the panel looked like a lost key).
        self.showing_why = False
        if self.round_answers and not self.leaving:
            # Round answers not yet recorded would be lost: a second Esc is needed to leave them.
            self.leaving = True
            self.put("#answer-msg", f"✗ {len(self.round_answers)} round answer(s) are not recorded until every "
                     "round is answered. Esc again leaves without them.")
            return
        self.app.note_position(None)
        self.dismiss()


def sensed_words(item) -> str:
    """What the ledger showed for a sensed item, and what passes: 'FAILED: the ledger shows 3 (expected none)'."""
    if item.status == "pending":
        return "not sensed yet (it is read from the ledger when these checks are recorded)"
    shown = ", ".join(item.observed or ()) or "nothing"
    expected = f" (expected {item.expected_text})" if item.expected_text else ""
    if item.status in ("failed", "overridden"):
        return f"{status_words(item.status)}: the ledger shows {shown}{expected}"
    return f"{status_words(item.status)} (the ledger shows {shown})"
