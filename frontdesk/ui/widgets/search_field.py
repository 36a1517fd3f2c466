"""A search field whose results are picked from a list under it.

↓ (or Enter) in the field moves to the list with a row already highlighted, so the very next
Enter picks that row; Enter when the search found exactly one picks it at once (the common case:
a phone number). ↑ on the list's first row comes back to the field. The field stays in view: ↓
is the field's own key, so it never scrolls the form around it, and moving to the list scrolls
only as far as the field and the list both show. Results still showing for an earlier text (a
search on its way) are never handed over.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.widgets import Input, OptionList


def pick_words(found: int, verb: str) -> str:
    """The hint under a patient search: '1 found: confirm the date of birth, then Enter.'"""
    keys = "Enter" if found == 1 else "↓ and Enter"
    return f"{found} found: {verb} the date of birth, then {keys}."


class SearchField(Input):
    """An ``Input`` that hands over to the ``OptionList`` matched by ``results`` (a selector
    searched from the screen)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "to_results", "Choose", show=False, id="search.to_results",
                tooltip="Move to the list of results, the first one highlighted"),
    ]

    def __init__(self, *args: Any, results: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.results = results
        self.results_for: str | None = None  # the text the list shows results for

    def results_shown(self, text: str) -> None:
        """The screen has listed the results for ``text``: the only one is shown highlighted,
        as the one Enter takes."""
        self.results_for = text
        listing = self.results_list()
        if listing is not None and listing.option_count == 1:
            listing.highlighted = 0

    def results_list(self) -> OptionList | None:
        """The list of results for the text in the field when it shows at least one, else
        None."""
        found = self.screen.query(self.results)
        listing = found.first(OptionList) if found else None
        if listing is None or not listing.display or not listing.option_count:
            return None
        if self.results_for is not None and self.results_for != self.value:
            return None  # typed on since: the search for the new text is on its way
        return listing

    def action_to_results(self) -> None:
        """Focus the results with a row highlighted (the first, unless one already is)."""
        listing = self.results_list()
        if listing is None:
            return
        if listing.highlighted is None:
            listing.highlighted = 0
        listing.focus(scroll_visible=False)
        self.call_after_refresh(self._keep_in_view, listing)

    def _keep_in_view(self, listing: OptionList) -> None:
        listing.scroll_visible(animate=False)
        self.scroll_visible(animate=False)  # the field wins when both cannot show

    async def action_submit(self) -> None:
        """Enter: the only result picked; several: to the list (as ↓ does); none: a plain
        submit."""
        listing = self.results_list()
        if listing is None:
            await super().action_submit()
        elif listing.option_count == 1:
            listing.highlighted = 0
            listing.action_select()
        else:
            self.action_to_results()


class ResultList(OptionList):
    """The list a ``SearchField`` hands over to: ↑ on its first row goes back to the field
    named ``field`` (a selector searched from the screen), and so does a letter or digit typed
    here — into the field, where the search goes on."""

    def __init__(self, *args: Any, field: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.field = field

    def _back(self) -> Input | None:
        found = self.screen.query(self.field)
        field = found.first() if found else None
        if not isinstance(field, Input):
            return None
        field.focus()
        return field

    def action_cursor_up(self) -> None:
        if self.highlighted in (None, 0) and (field := self._back()) is not None:
            field.call_after_refresh(field.action_end)  # typing goes on where it ended
            return
        super().action_cursor_up()

    async def _on_key(self, event: events.Key) -> None:
        if event.is_printable and event.character and (field := self._back()) is not None:
            event.stop()
            event.prevent_default()
            character = event.character

            def typed() -> None:
                field.action_end()
                field.insert_text_at_cursor(character)

            field.call_after_refresh(typed)
            return
        await super()._on_key(event)
