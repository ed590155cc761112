"""An answer list picked by its number: ``3`` highlights the third option, Enter records it.

A list of answers opens with nothing highlighted, so a stray Enter (a key
held down, one typed ahead) never answers a question; a digit (or the
letter an option alone starts with) highlights one, and only Enter takes
it. Two keys an answer, and nothing is ever chosen for the armorer.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import events
from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option


class ChoiceList(OptionList):
    """An OptionList whose options carry their number, picked by that number (1-9) or a first letter."""

    PICKS_BY_KEY = True
    """Read by bench/keystrokes.py: this list is picked by a digit, not by arrows from the top."""

    def set_choices(self, choices: Sequence[tuple[str, str]]) -> None:
        """(shown text, id) pairs, shown as plain text after their number; nothing highlighted."""
        ids = [choice_id for _, choice_id in choices]
        if [self.get_option_at_index(i).id for i in range(self.option_count)] != ids:
            self.clear_options()
            self.add_options([Option(Content(f"{n}  {text}" if n < 10 else f"   {text}"), id=choice_id)
                              for n, (text, choice_id) in enumerate(choices, start=1)])
        self.highlighted = None

    def _letters(self) -> dict[str, int]:
        """The first letter of each option's words, where no other option starts with it."""
        seen: dict[str, list[int]] = {}
        for index in range(self.option_count):
            words = str(self.get_option_at_index(index).prompt).split(None, 1)
            text = words[1] if len(words) > 1 and words[0].isdigit() else " ".join(words)
            letter = next((ch.lower() for ch in text if ch.isalpha()), None)
            if letter:
                seen.setdefault(letter, []).append(index)
        return {letter: found[0] for letter, found in seen.items() if len(found) == 1}

    def on_key(self, event: events.Key) -> None:
        character = event.character or ""
        if len(character) != 1:
            return
        index = None
        if character in "123456789":
            index = int(character) - 1
        elif character.isalpha():
            index = self._letters().get(character.lower())
        if index is not None and index < self.option_count:
            event.stop()
            event.prevent_default()
            self.highlighted = index
