"""Command palette commands that depend on the screen: its bindings, by name.

Every footer action is reachable from here too; an action the screen greys
out (``check_action`` returning None) is listed with the reason it is off.
"""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.screen import Screen


SYSTEM_ACTIONS = {"app.quit", "quit", "app.help", "help", "app.toggle_theme", "toggle_theme"}
"""Listed once, as the palette's system commands (ArmoryApp.get_system_commands), wherever their key is bound."""


class ScreenCommands(Provider):
    def _commands(self):
        seen: set[str] = set()
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if not isinstance(active.node, Screen):
                # A focused widget's cursor and scroll keys are not commands, and the app's own keys (Keys,
                # Light/dark, Quit; Textual's focus and copy keys) are the palette's system commands or none.
                continue
            if not binding.description or binding.system or binding.action in seen:
                continue
            if not binding.id:
                continue  # Textual's own screen keys (focus next and previous, copy): not armory's commands
            if binding.action in {"command_palette", "app.command_palette"} | SYSTEM_ACTIONS:
                continue
            seen.add(binding.action)
            help_text = binding.tooltip or binding.description
            if not active.enabled:
                help_text = f"(not now) {help_text}"
            yield binding.description, help_text, partial(self._run, active.node, binding.action, active.enabled)

    async def _run(self, node, action: str, enabled: bool) -> None:
        if not enabled:
            self.app.notify("Not possible right now; the screen says why.", severity="warning")
            return
        await self.app.run_action(action, node)

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
