"""KeyFooter: greying keys out and back in is done in place; new keys rebuild the footer."""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen, Screen
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


class Dialog(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss", "Back")]

    def compose(self) -> ComposeResult:
        yield KeyFooter()


class OrderedScreen(Screen[None]):
    """Its FOOTER_ORDER puts c and a first."""

    FOOTER_ORDER = ("c", "a")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "act", "Act", id="a"), Binding("b", "other", "A much longer label", id="b"),
        Binding("c", "extra", "Extra", id="c"),
    ]

    def compose(self) -> ComposeResult:
        yield KeyFooter()

    def action_act(self) -> None: ...
    def action_other(self) -> None: ...
    def action_extra(self) -> None: ...


class Ordered(App[None]):
    """? (the app's, priority) sits on the right of every footer."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "keys", "Keys", id="app.keys", priority=True),
    ]

    def get_default_screen(self) -> Screen[None]:
        return OrderedScreen()

    def action_keys(self) -> None: ...


async def test_keys_come_in_the_screen_s_order_and_one_that_does_not_fit_is_left_out() -> None:
    app = Ordered()
    async with app.run_test(size=(36, 5)) as pilot:
        await pilot.pause()
        app.screen.refresh_bindings()
        await pilot.pause()
        order = [k.key for k in app.query(FooterKey)]
        # c, a first; b's label does not fit beside ? and the palette key is the last to go
        assert order == ["c", "a", "question_mark"]
        await pilot.resize_terminal(80, 5)
        for _ in range(4):
            await pilot.pause()
        assert [k.key for k in app.query(FooterKey)] == ["c", "a", "b", "ctrl+p",
                                                         "question_mark"]


async def test_a_dialog_s_footer_shows_the_app_s_question_mark() -> None:
    app = Ordered()
    async with app.run_test(size=(60, 10)) as pilot:
        await app.push_screen(Dialog())
        await pilot.pause()
        app.screen.refresh_bindings()
        await pilot.pause()
        assert [k.key for k in app.screen.query(FooterKey)] == ["escape", "question_mark"]
