"""Statements run on the driver's own connection, inside the session's transaction: for the few on the report path.

A Core statement executed through a session costs more in SQLAlchemy's Python than in the database (a profile of
bench.reporting's report bursts): the cache key, the execution context, the result object and a greenlet switch
for each call into the driver. `Direct` pays for that once: it compiles its statement per dialect and set of
parameter names, keeps SQLAlchemy's own bind and result processors (so values are stored and read exactly as
through the session), and then sends only the SQL and the values to aiosqlite or asyncpg on the connection the
session's transaction holds.

It runs statements whose values are all bound as given (no expanding IN, no column left to a Python-side default):
anything else is refused when it is compiled, so a test meets it before a user does. A database error comes out
as the driver's own exception, not SQLAlchemy's wrapper.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import ClauseElement, event
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.types import TypeEngine
from sqlmodel.ext.asyncio.session import AsyncSession

Processor = Callable[[Any], Any] | None


@dataclass
class Compiled:
    """One statement for one dialect and one set of parameter names: its SQL, the order of its values, how each
    value is bound and each returned column read, and the shape of a returned row."""

    sql: str
    names: tuple[str, ...]
    constants: dict[str, Any]
    """The values the statement holds itself (`column == value`), by bind name."""
    binds: tuple[Processor, ...]
    result_types: tuple[TypeEngine[Any], ...]
    row: type[tuple[Any, ...]] | None
    results: tuple[Processor, ...] | None = None
    """How each returned column is read: known once the driver has said what type it returns (PostgreSQL's
    numbers are read by their type code, as SQLAlchemy reads them from a cursor's description)."""

    def read_as(self, dialect: Dialect, type_codes: Sequence[Any]) -> None:
        self.results = tuple(
            type_._cached_result_processor(dialect, code)
            for type_, code in zip(self.result_types, type_codes, strict=True)
        )

    def values(self, params: Mapping[str, Any]) -> tuple[Any, ...]:
        given = params if not self.constants else self.constants | dict(params)
        return tuple(
            value if bind is None else bind(value)
            for value, bind in zip((given[name] for name in self.names), self.binds, strict=True)
        )

    def read(self, rows: Sequence[Sequence[Any]]) -> list[Any]:
        assert self.row is not None and self.results is not None
        make = self.row._make  # type: ignore[attr-defined]
        return [
            make(value if read is None else read(value) for value, read in zip(row, self.results, strict=True))
            for row in rows
        ]


def compile_for(statement: ClauseElement, dialect: Dialect, names: tuple[str, ...]) -> Compiled:
    compiled = statement.compile(dialect=dialect, column_keys=list(names))
    assert isinstance(compiled, SQLCompiler)
    binds = {name: bind for bind, name in compiled.bind_names.items()}
    if compiled.insert_prefetch or compiled.update_prefetch or any(bind.expanding for bind in binds.values()):
        raise ValueError(f"a direct statement binds each value it needs as it is: {statement}")
    order = tuple(compiled.positiontup or ())
    constants = {name: bind.value for name, bind in binds.items() if name not in names}
    columns = [(name, type_) for _key, name, _objects, type_ in compiled._result_columns]
    row: Any = NamedTuple("Row", [(name, Any) for name, _type in columns]) if columns else None
    processors = tuple(binds[name].type._cached_bind_processor(dialect) for name in order)
    return Compiled(str(compiled), order, constants, processors, tuple(type_ for _name, type_ in columns), row)


DRIVER = "gridguard_driver"
"""Where a session keeps its transaction's driver connection, until the transaction ends."""


async def driver_of(session: AsyncSession) -> tuple[Dialect, PoolProxiedConnection]:
    """The dialect and the pooled driver connection of the session's transaction (begun if it had not yet)."""
    if (held := session.info.get(DRIVER)) is None:
        connection = await session.connection()
        held = session.info[DRIVER] = (connection.dialect, await connection.get_raw_connection())
    return held


@event.listens_for(Session, "after_transaction_end")
def _forget_driver(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(DRIVER, None)


class Direct:
    """A Core statement compiled once per dialect, run on the driver connection of the session's transaction."""

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._compiled: dict[tuple[str, tuple[str, ...]], Compiled] = {}

    def _for(self, dialect: Dialect, params: Mapping[str, Any]) -> Compiled:
        key = (dialect.name, tuple(params))
        if (compiled := self._compiled.get(key)) is None:
            compiled = self._compiled[key] = compile_for(self.statement, dialect, key[1])
        return compiled

    async def rows(self, session: AsyncSession, params: Mapping[str, Any]) -> list[Any]:
        """The statement's returned rows (named tuples, values read as the session would read them). Objects the
        session holds unwritten are written first, as the session would before a statement of its own."""
        if session.new or session.dirty or session.deleted:
            await session.flush()
        dialect, raw = await driver_of(session)
        compiled = self._for(dialect, params)
        values = compiled.values(params)
        driver: Any = raw.driver_connection
        if dialect.name == "postgresql":
            adapted: Any = raw.dbapi_connection
            if adapted._transaction is None:
                await adapted._start_transaction()
            if compiled.results is None:
                prepared = await driver.prepare(compiled.sql)
                compiled.read_as(dialect, [attribute.type.oid for attribute in prepared.get_attributes()])
            fetched = await driver.fetch(compiled.sql, *values)
        else:
            if compiled.results is None:
                compiled.read_as(dialect, [None] * len(compiled.result_types))
            cursor = await driver.execute(compiled.sql, values)
            fetched = await cursor.fetchall()
            await cursor.close()
        return compiled.read(fetched) if compiled.row is not None else []

    async def scalar(self, session: AsyncSession, params: Mapping[str, Any]) -> Any:
        """The first column of the one row returned, or None when none was."""
        rows = await self.rows(session, params)
        return rows[0][0] if rows else None
