"""``@record``: a dataclass's construction and value semantics, from shared functions."""

from __future__ import annotations

import dataclasses

import pytest

from asl_engine.model.records import record


@record
class Point:
    """A value with a required field, a default, a factory and a field left out of comparisons."""

    x: int
    y: int = 0
    tags: tuple[str, ...] = dataclasses.field(default_factory=tuple)
    note: str = dataclasses.field(default="", compare=False, repr=False)


@record(kw_only=True)
class Named:
    """Keywords only."""

    name: str
    size: int = 1


def test_construction_follows_the_fields() -> None:
    assert (Point(1).x, Point(1).y, Point(1).tags) == (1, 0, ())
    assert Point(1, 2, ("a",)) == Point(x=1, tags=("a",), y=2)
    assert Named(name="n").size == 1 and Named(name="n", size=3).size == 3


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Point(), "missing required argument: 'x'"),  # type: ignore[call-arg]
        (lambda: Point(1, 2, (), "n", 5), "takes 4 positional arguments but 5 were given"),  # type: ignore[call-arg]
        (lambda: Point(1, x=2), "multiple values for argument 'x'"),  # type: ignore[misc]
        (lambda: Point(1, z=2), "unexpected keyword argument 'z'"),  # type: ignore[call-arg]
        (lambda: Named("n"), "takes 0 positional arguments but 1 were given"),  # type: ignore[call-arg]
    ],
)
def test_wrong_arguments_are_type_errors(make: object, message: str) -> None:
    # mypy --strict rejects each of these calls too (the ignores above).
    with pytest.raises(TypeError, match=message):
        make()  # type: ignore[operator]


def test_value_semantics_leave_out_what_the_fields_say() -> None:
    assert Point(1, note="a") == Point(1, note="b") and hash(Point(1, note="a")) == hash(Point(1))
    assert Point(1) != Point(2) and repr(Point(1, 2)) == "Point(x=1, y=2, tags=())"
    assert dataclasses.replace(Point(1, 2), y=5) == Point(1, 5)
    assert [f.name for f in dataclasses.fields(Named)] == ["name", "size"]
    with pytest.raises(AttributeError):
        Point(1).z = 3  # type: ignore[attr-defined]  # slotted: no new attributes


def test_each_factory_call_gives_its_own_value() -> None:
    @record
    class Box:
        """A mutable default, made per instance."""

        items: list[int] = dataclasses.field(default_factory=list)

    assert Box().items is not Box().items
