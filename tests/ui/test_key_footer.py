"""KeyFooter: greying keys out and back in is done in place; new keys rebuild the footer."""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets._footer import FooterKey

from frontdesk.ui.widgets.footer import KeyFooter


class Keys(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "act", "Act"), Binding("b", "other", "Other"),
        Binding("c", "extra", "Extra"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.usable = True
        self.extra = False

    def compose(self) -> ComposeResult:
        yield KeyFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "act":
            return True if self.usable else None
        if action == "extra":
            return self.extra  # False: not shown at all
        return True

    def action_act(self) -> None: ...
    def action_other(self) -> None: ...
    def action_extra(self) -> None: ...


def keys(app: Keys) -> dict[str, FooterKey]:
    return {k.key: k for k in app.query(FooterKey)}


async def test_greying_out_flips_the_existing_key_and_new_keys_rebuild() -> None:
    app = Keys()
    async with app.run_test() as pilot:
        await pilot.pause()
        before = keys(app)
        assert set(before) == {"a", "b", "ctrl+p"}
        assert not before["a"].has_class("-disabled")

        app.usable = False
        app.screen.refresh_bindings()
        await pilot.pause()
        after = keys(app)
        assert after["a"] is before["a"]  # updated in place, not rebuilt
        assert after["a"].has_class("-disabled")
        assert after["a"]._disabled

        app.usable = True
        app.screen.refresh_bindings()
        await pilot.pause()
        assert not keys(app)["a"].has_class("-disabled")

        app.extra = True  # a key appears: the footer is rebuilt with it
        app.screen.refresh_bindings()
        await pilot.pause()
        rebuilt = keys(app)
        assert set(rebuilt) == {"a", "b", "c", "ctrl+p"}
        assert rebuilt["a"] is not before["a"]
