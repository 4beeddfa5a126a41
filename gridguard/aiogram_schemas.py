"""aiogram's types built when first used, not all at import.

`aiogram.types` ends by calling `model_rebuild` on each of its several hundred types, so every validator and
serializer is built at import and held for the life of the process: about 100 MiB and most of the import's CPU,
although a bot validates a handful of them (aiogram/aiogram#1513, open). `defer_aiogram_schemas()`, called before
aiogram is first imported, makes those calls keep the namespace they pass and build nothing. pydantic then builds
each type the first time it is used (its deferred build, which aiogram's `defer_build=True` asks for), resolved in
that same namespace, so every schema is the one the eager build gives (`tests/bot/test_aiogram_schemas.py` compares
all of them). It does not import aiogram; it is a no-op once aiogram's types are imported or when already in place.
"""

import sys
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

_AIOGRAM_TYPES = "aiogram.types"


class _Deferral:
    """The replacement for `BaseModel.model_rebuild`: defers aiogram's calls, passes every other one through."""

    def __init__(self, original: Any) -> None:
        self.original = original
        self.types_namespace: Mapping[str, Any] | None = None

    def model_rebuild(self, cls: type[BaseModel], **kwargs: Any) -> bool | None:
        if not cls.__module__.startswith("aiogram."):
            return self.original(cls, **kwargs)
        passed = kwargs.get("_types_namespace")
        if passed is not None and cls.__module__.startswith(_AIOGRAM_TYPES + "."):
            self.types_namespace = passed
            cls.__pydantic_parent_namespace__ = passed
            return None
        if passed is None and self.types_namespace is not None:
            kwargs["_types_namespace"] = self.types_namespace
        return self.original(cls, **kwargs)


_deferral: _Deferral | None = None


def defer_aiogram_schemas() -> None:
    """Make aiogram's types build on first use (see the module's docstring)."""
    global _deferral
    if _deferral is not None or _AIOGRAM_TYPES in sys.modules:
        return
    deferral = _Deferral(BaseModel.__dict__["model_rebuild"].__func__)

    def model_rebuild(cls: type[BaseModel], **kwargs: Any) -> bool | None:
        return deferral.model_rebuild(cls, **kwargs)

    BaseModel.model_rebuild = classmethod(model_rebuild)  # type: ignore[method-assign, assignment]
    _deferral = deferral
