"""aiogram's types are built on first use (gridguard.aiogram_schemas), and each is built as aiogram would build it."""

import json
import subprocess
import sys
from pathlib import Path
from typing import cast

ROOT = Path(__file__).resolve().parents[2]

SCHEMAS = """
import hashlib, json, sys, warnings
if sys.argv[1] == "deferred":
    import gridguard
import pydantic
import aiogram.methods, aiogram.types
warnings.simplefilter("ignore")
schemas = {}
for module in (aiogram.types, aiogram.methods):
    for name in module.__all__:
        entity = getattr(module, name)
        if isinstance(entity, type) and issubclass(entity, pydantic.BaseModel):
            try:
                schema = json.dumps(entity.model_json_schema(), sort_keys=True)
            except Exception as error:
                schema = type(error).__name__
            schemas[module.__name__ + "." + name] = hashlib.sha256(schema.encode()).hexdigest()
print(json.dumps(schemas))
"""

FIRST_USE = """
import json
import bot.app
import aiogram.types
def built():
    return sorted(name for name in aiogram.types.__all__
                  if getattr(getattr(aiogram.types, name), "__pydantic_complete__", False))
at_import = built()
update = aiogram.types.Update.model_validate({"update_id": 7, "message": {"message_id": 1, "date": 1,
    "chat": {"id": 5, "type": "private"}, "from": {"id": 5, "is_bot": False, "first_name": "Li"}, "text": "hi"}})
print(json.dumps({"at_import": at_import, "text": update.message.text, "after": built()}))
"""


def _start(script: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", script, *args], cwd=ROOT, stdout=subprocess.PIPE, text=True)


def _answer(process: subprocess.Popen[str]) -> dict[str, object]:
    output, _ = process.communicate(timeout=120)
    assert process.returncode == 0
    answer: dict[str, object] = json.loads(output)
    return answer


def test_every_type_and_method_gets_the_schema_aiograms_own_import_gives_it() -> None:
    eager_process, deferred_process = _start(SCHEMAS, "eager"), _start(SCHEMAS, "deferred")
    eager, deferred = _answer(eager_process), _answer(deferred_process)

    assert len(eager) > 400
    assert deferred == eager


def test_the_bot_builds_no_type_until_an_update_needs_it() -> None:
    seen = _answer(_start(FIRST_USE))
    at_import, after = cast(list[str], seen["at_import"]), cast(list[str], seen["after"])

    assert len(at_import) <= 2
    assert "Update" not in at_import
    assert seen["text"] == "hi"
    assert "Update" in after
