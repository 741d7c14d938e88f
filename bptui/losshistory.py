"""Every epoch's loss as the screen's cursor keeps it: 8 bytes an epoch, shared without copies.

A long run in the screen (``r`` on a scenario of millions of epochs) keeps the loss of every
epoch, because the loss panel says "after epoch N" for any epoch the learner visits. A Python
list of floats costs 32 bytes an epoch and was copied into a tuple at every key press; this
history is a float64 array (8 bytes an epoch), and what a panel is given is a
:class:`Prefix`, a window on the first N values that never changes afterwards: the history is
only ever appended to, and cutting it back (a run restarted from an earlier epoch) swaps in a
new array instead of shortening the old one.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Sequence
from typing import overload


class Prefix(Sequence[float]):
    """The first ``n`` losses of a history, as they were when the prefix was taken."""

    __slots__ = ("_a", "_n")

    def __init__(self, data: array, n: int) -> None:
        self._a, self._n = data, n

    def __len__(self) -> int:
        return self._n

    @overload
    def __getitem__(self, i: int) -> float: ...
    @overload
    def __getitem__(self, i: slice) -> Prefix: ...

    def __getitem__(self, i: int | slice) -> float | Prefix:
        if isinstance(i, slice):
            start, stop, step = i.indices(self._n)
            if start == 0 and step == 1:
                return Prefix(self._a, max(0, stop))  # a shorter window: no copy
            return Prefix(self._a[:self._n][i], len(range(start, stop, step)))
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError("loss index out of range")
        return self._a[i]

    def __iter__(self) -> Iterator[float]:
        a = self._a
        return (a[i] for i in range(self._n))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence):
            return len(other) == self._n and all(x == y for x, y in zip(self, other, strict=True))
        return NotImplemented

    def __hash__(self) -> int:  # a frozen View holds one: hash by what it shows
        return hash((self._n, self._a[self._n - 1] if self._n else None))

    def __repr__(self) -> str:
        return f"Prefix({self.tolist()!r})"

    def tolist(self) -> list[float]:
        return self._a[:self._n].tolist()

    def array(self) -> array:
        """A copy of the values as a float64 ``array`` (numpy reads it with ``np.asarray``
        without keeping a buffer of the history open)."""
        return self._a[:self._n]


class LossHistory:
    """The losses of epochs 1, 2, …: ``history[e - 1]`` is the loss after epoch ``e``."""

    __slots__ = ("_a",)

    def __init__(self, values: Iterable[float] = ()) -> None:
        self._a = array("d", values)

    def __len__(self) -> int:
        return len(self._a)

    @overload
    def __getitem__(self, i: int) -> float: ...
    @overload
    def __getitem__(self, i: slice) -> list[float]: ...

    def __getitem__(self, i: int | slice) -> float | list[float]:
        if isinstance(i, slice):
            return self._a[i].tolist()
        return self._a[i]

    def __iter__(self) -> Iterator[float]:
        return iter(self._a)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LossHistory):
            return self._a == other._a
        if isinstance(other, Sequence):
            return list(self._a) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # it changes as training goes

    def __repr__(self) -> str:
        return f"LossHistory({self._a.tolist()!r})"

    def append(self, x: float) -> None:
        self._a.append(x)

    def extend(self, xs: Iterable[float]) -> None:
        self._a.extend(xs)

    def truncate(self, n: int) -> None:
        """Keep the first ``n`` losses. A new array, so a :class:`Prefix` already handed out
        keeps reading what it read."""
        if n < len(self._a):
            self._a = self._a[:max(0, n)]

    def upto(self, n: int) -> Prefix:
        """The first ``n`` losses (at most all of them), frozen: later appends don't show."""
        return Prefix(self._a, max(0, min(n, len(self._a))))

    def copy(self) -> LossHistory:
        h = LossHistory()
        h._a = self._a[:]
        return h
