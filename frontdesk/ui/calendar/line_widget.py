"""A base for the calendar grids: drawn line by line with Textual's Line API, and how far
they scroll to keep the cursor in view.

Building a Rich ``Text`` for the whole grid and letting Textual convert it was most of the cost
of a repaint on a large terminal; segments with cached styles cost a fraction of it.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget


class LineWidget(Widget):
    """Subclasses implement ``render_line``; ``style`` and ``strip`` help them."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._styles: dict[str, Style] = {}

    def style(self, component: str = "") -> Style:
        """A component class's style over the widget's own ("": the widget's), cached until
        the styles change (a theme switch, say)."""
        found = self._styles.get(component)
        if found is None:
            found = self.rich_style
            if component:
                found += self.get_component_rich_style(component, partial=True)
            self._styles[component] = found
        return found

    def notify_style_update(self) -> None:
        self._styles.clear()
        super().notify_style_update()

    def strip(self, segments: list[Segment]) -> Strip:
        """``segments`` as one line exactly as wide as the widget."""
        width = self.size.width
        return Strip(segments).extend_cell_length(width, self.style()).crop(0, width)

    def blank(self) -> Strip:
        return Strip.blank(self.size.width, self.style())

    def plain(self) -> str:
        """What the widget shows, as plain text with line ends trimmed (tests, benchmarks)."""
        return "\n".join(self.render_line(y).text.rstrip() for y in range(self.size.height)
                         ).rstrip("\n")


def scroll_to(first: int, cursor: int, shown: int, total: int) -> int:
    """The first visible index after moving the cursor: unchanged unless it left the view."""
    if cursor < first:
        first = cursor
    elif cursor >= first + shown:
        first = cursor - shown + 1
    return max(0, min(first, total - shown))
