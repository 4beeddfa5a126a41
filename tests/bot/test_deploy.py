"""deploy/: the compose file (checked by `docker compose config` where Docker has compose, otherwise parsed here),
its Caddyfile and the systemd unit agree with each other and with the settings the bot accepts."""

import configparser
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from bot.paths import PROJECT_ROOT
from bot.settings import Settings, host_port

DEPLOY = PROJECT_ROOT / "deploy"
SAMPLE = {"BOT_TOKEN": "123456:ABC-sample", "POSTGRES_PASSWORD": "s3cret", "GRIDGUARD_DOMAIN": "gridguard.example.org"}
VARIABLE = re.compile(r"\$\{(\w+)(?::([?-])([^}]*))?\}")


def interpolate(value: Any) -> Any:
    """Compose's ${VAR}, ${VAR:-default} and ${VAR:?message}, with the sample environment."""
    if isinstance(value, str):

        def one(match: re.Match[str]) -> str:
            name, kind, rest = match.groups()
            if name in SAMPLE:
                return SAMPLE[name]
            assert kind != "?", f"{name} is required: {rest}"
            return rest if kind == "-" else ""

        return VARIABLE.sub(one, value)
    if isinstance(value, dict):
        return {key: interpolate(item) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item) for item in value]
    return value


@pytest.fixture
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    return dict(interpolate(loaded))


def has_docker_compose() -> bool:
    docker = shutil.which("docker")
    return docker is not None and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0


@pytest.mark.skipif(
    not has_docker_compose(), reason="Docker without compose here: the file is parsed by the tests below"
)
def test_docker_compose_accepts_the_file() -> None:
    result = subprocess.run(["docker", "compose", "-f", str(DEPLOY / "compose.yaml"), "config", "--quiet"],
                            env={**os.environ, **SAMPLE}, capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_compose_runs_two_bots_on_postgresql_and_redis_each_with_its_own_metrics_port(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {"bot-1", "bot-2", "postgres", "redis", "proxy"} <= set(services)
    published = []
    for name in ("bot-1", "bot-2"):
        bot = services[name]
        settings = Settings(_env_file=None, **{k.lower(): v for k, v in bot["environment"].items()})
        assert settings.database_url.startswith("postgresql+asyncpg://gridguard:s3cret@postgres:5432/")
        assert settings.redis_url == "redis://redis:6379/0" and settings.webhook_url and settings.metrics_listen
        assert {"postgres", "redis"} <= set(bot["depends_on"])
        assert "/readyz" in " ".join(bot["healthcheck"]["test"])
        [port] = bot["ports"]
        host, _, container = port.rpartition(":")
        assert host.startswith("127.0.0.1:") and int(container) == host_port(settings.metrics_listen)[1]
        published.append(host)
    assert len(set(published)) == 2, "each instance's metrics on a port of its own"
    assert services["postgres"]["environment"]["POSTGRES_PASSWORD"] == "s3cret"


def test_the_proxy_sends_the_webhook_path_to_both_bots_and_checks_their_health(compose: dict[str, Any]) -> None:
    caddy = (DEPLOY / "Caddyfile").read_text(encoding="utf-8")
    environment = compose["services"]["bot-1"]["environment"]
    path = urlsplit(environment["WEBHOOK_URL"]).path
    webhook_port = host_port(environment["WEBHOOK_LISTEN"])[1]
    assert f"handle {path} {{" in caddy
    assert f"reverse_proxy bot-1:{webhook_port} bot-2:{webhook_port}" in caddy
    assert f"health_port {host_port(environment['METRICS_LISTEN'])[1]}" in caddy and "health_uri /healthz" in caddy
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in compose["services"]["proxy"]["volumes"]


def test_the_image_runs_the_bot_from_the_locked_dependencies() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert "uv sync --locked --no-dev" in dockerfile
    assert 'CMD ["uv", "run", "--locked", "--no-dev", "python", "-m", "bot"]' in dockerfile


def test_the_systemd_unit_runs_an_instance_per_number_with_its_own_ports() -> None:
    unit = configparser.ConfigParser(interpolation=None, strict=False)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read_string((DEPLOY / "gridguard@.service").read_text(encoding="utf-8"))
    service = unit["Service"]
    assert service["ExecStart"].endswith("python -m bot") and service["KillSignal"] == "SIGTERM"
    assert service["Restart"] == "always"
    text = Path(DEPLOY / "gridguard@.service").read_text(encoding="utf-8")
    environment = dict(re.findall(r"^Environment=(\w+)=(\S+)$", text, re.MULTILINE))
    first = Settings(_env_file=None, **{k.lower(): v.replace("%i", "1") for k, v in environment.items()})
    second = Settings(_env_file=None, **{k.lower(): v.replace("%i", "2") for k, v in environment.items()})
    ports = {first.webhook_listen, first.metrics_listen, second.webhook_listen, second.metrics_listen}
    assert len(ports) == 4, "instances 1 and 2 listen on ports of their own"
