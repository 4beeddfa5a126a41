"""A table model's instance built the way the ORM builds one it loads from a row: for the report path's hot spot.

`Report(...)` sets each of its 34 fields through SQLModel's `__setattr__`, pydantic's and SQLAlchemy's attribute
instrumentation: 350–550 µs of CPU, measured in an hour when a report cost 10–12 ms in bench.reporting (3–5 % of
it). `as_loaded` fills the instance's dictionary at once, as SQLAlchemy does for a loaded row
(`ClassManager.new_instance`, then the state's dict): 8 µs in the same hour. No validation runs, so it is only
for values our own typed code made; a required field left out is refused.
"""

from functools import cache
from typing import Any, TypeVar

from sqlalchemy.orm.instrumentation import manager_of_class
from sqlmodel import SQLModel

Model = TypeVar("Model", bound=SQLModel)


@cache
def _fields(model: type[SQLModel]) -> tuple[dict[str, Any], frozenset[str]]:
    """The model's defaults and its required fields; a default made per instance (`default_factory`) is refused,
    as it would be shared."""
    fields = model.model_fields
    if made := [name for name, field in fields.items() if field.default_factory is not None]:
        raise TypeError(f"{model.__name__}.{made[0]} has a default_factory: build it with {model.__name__}(...)")
    defaults = {name: field.default for name, field in fields.items() if not field.is_required()}
    return defaults, frozenset(name for name, field in fields.items() if field.is_required())


def as_loaded(model: type[Model], **values: Any) -> Model:
    """A transient instance of `model` holding `values` and the other fields' defaults, unvalidated."""
    defaults, required = _fields(model)
    if missing := required - values.keys():
        raise TypeError(f"{model.__name__} needs {', '.join(sorted(missing))}")
    if unknown := values.keys() - model.model_fields.keys():
        raise TypeError(f"{model.__name__} has no {', '.join(sorted(unknown))}")
    instance: Model = manager_of_class(model).new_instance()
    vars(instance).update(defaults | values)
    return instance
