"""Textual bindings built from the key table in `keys`."""

from __future__ import annotations

from collections.abc import Iterable

from textual.binding import Binding, BindingType

from readlist.tui.keys import KeySpec


def bindings(specs: Iterable[KeySpec]) -> list[BindingType]:
    """One `Binding` per key spec, carrying its id (for remapping) and tooltip (for the help)."""
    return [
        Binding(
            spec.key,
            spec.action,
            spec.description,
            show=spec.show,
            priority=spec.priority,
            tooltip=spec.tooltip,
            id=spec.id,
        )
        for spec in specs
    ]
