"""A base for advisor's small value classes: equality, hashing and repr by field.

Why not ``typing.NamedTuple`` or ``@dataclass``: defining either costs 0.15-1 ms per class
(``collections.namedtuple`` evaluates generated source and builds a property per field;
``dataclasses`` executes generated methods and imports :mod:`inspect`). The rule base, the
questionnaire and the result define some thirty such classes, all on the path of a cold
``advisor assess``, where together they cost as much as the assessment itself. A plain class
with ``__slots__`` and a written-out ``__init__`` costs a few microseconds to define.

Subclasses list their fields in ``__slots__`` and set every one in ``__init__``. Instances are
treated as immutable by convention; those that are meant to change (the result) set
``__hash__ = None``.
"""

from __future__ import annotations

from typing import Any


class Record:
    """Equality, hash and repr from the fields named in ``__slots__``."""

    __slots__ = ()

    def _values(self) -> tuple[Any, ...]:
        names: tuple[str, ...] = self.__slots__
        return tuple(getattr(self, name) for name in names)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._values()))

    def __repr__(self) -> str:
        names: tuple[str, ...] = self.__slots__
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{type(self).__name__}({inner})"
