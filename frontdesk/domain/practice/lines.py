"""Where each key of a TOML file is: tomllib gives values without line numbers, so the text is
scanned for table headers and ``key =`` lines (and the elements of multi-line arrays) to name
the line of every problem."""

from __future__ import annotations

import re
from collections import defaultdict

Path = tuple[str | int, ...]

_KEY = r'(?:"(?:[^"\\]|\\.)*"|\'[^\']*\'|[A-Za-z0-9_-]+)'
_KEY_LINE = re.compile(rf"^\s*({_KEY}(?:\s*\.\s*{_KEY})*)\s*=(.*)$")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'')
_INNER_KEY = re.compile(rf"(?:^|[{{,])\s*({_KEY})\s*=")


def _unquote(key: str) -> str:
    key = key.strip()
    return key[1:-1] if len(key) >= 2 and key[0] == key[-1] and key[0] in "\"'" else key


def _split(dotted: str) -> list[str]:
    return [_unquote(k) for k in re.findall(rf"{_KEY}", dotted)]


class Lines:
    """The line of a path such as ``("locations", 1, "rooms", 0, "kind")``: the nearest line
    known for it or for the closest table above it (1 when nothing is known)."""

    def __init__(self, text: str) -> None:
        self.where: dict[Path, int] = {}
        counters: dict[Path, int] = defaultdict(int)
        current: Path = ()
        array: Path | None = None  # the key of a multi-line array being read
        depth = 0
        elements = 0
        quoted = False  # inside a multi-line string
        for number, raw in enumerate(text.splitlines(), 1):
            line = raw.strip()
            if quoted:
                quoted = (line.count('"""') + line.count("'''")) % 2 == 0
                continue
            if array is not None:
                braces = list(re.finditer(r"\{", line))
                for brace in braces:
                    path = (*array, elements)
                    self.where.setdefault(path, number)
                    self._inner(path, line[brace.start():], number)
                    elements += 1
                if not braces and not line.startswith("#"):  # text elements, one by one
                    for _ in _STRING.finditer(line):
                        self.where.setdefault((*array, elements), number)
                        elements += 1
                depth += line.count("[") - line.count("]")
                if depth <= 0:
                    array = None
                continue
            if line.startswith("[["):
                names = _split(line[2:line.find("]]")])
                parent = self._parent(names[:-1], counters)
                key = (*parent, names[-1])
                current = (*key, counters[key])
                counters[key] += 1
                self.where.setdefault(current, number)
            elif line.startswith("["):
                names = _split(line[1:line.find("]")])
                current = (*self._parent(names[:-1], counters), names[-1])
                self.where.setdefault(current, number)
            else:
                match = _KEY_LINE.match(raw)
                if match is None:
                    continue
                path = (*current, *_split(match.group(1)))
                self.where.setdefault(path, number)
                value = match.group(2).strip()
                if value.startswith("{"):
                    self._inner(path, value, number)
                elif value.startswith("["):
                    inline = 0
                    for brace in re.finditer(r"\{", value):
                        self.where.setdefault((*path, inline), number)
                        self._inner((*path, inline), value[brace.start():], number)
                        inline += 1
                    if "{" not in value:
                        for _ in _STRING.finditer(value):
                            self.where.setdefault((*path, inline), number)
                            inline += 1
                    opened = value.count("[") - value.count("]")
                    if opened > 0:
                        array, depth, elements = path, opened, inline
                if (value.count('"""') + value.count("'''")) % 2 == 1:
                    quoted = True

    def _parent(self, names: list[str], counters: dict[Path, int]) -> Path:
        """A dotted header's parent: an array of tables means its latest element."""
        path: Path = ()
        for name in names:
            path = (*path, name)
            if counters.get(path):
                path = (*path, counters[path] - 1)
        return path

    def _inner(self, path: Path, text: str, number: int) -> None:
        body = text[1:text.find("}")] if "}" in text else text[1:]
        for match in _INNER_KEY.finditer("," + body):
            self.where.setdefault((*path, _unquote(match.group(1))), number)

    def line(self, path: Path) -> int:
        probe = tuple(path)
        while probe:
            if probe in self.where:
                return self.where[probe]
            probe = probe[:-1]
        return 1
