"""The Render Blueprint deploys the image the Dockerfile builds, keeps the database on the
persistent disk, and asks for the secrets instead of carrying them."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from bot.config import SECRET_FIELDS, Settings, env_name

REPO = Path(__file__).resolve().parents[1]


def blueprint_worker() -> dict[str, Any]:
    blueprint = yaml.safe_load((REPO / "render.yaml").read_text())
    [service] = blueprint["services"]
    return service


def dockerfile_workdir() -> PurePosixPath:
    [line] = [line for line in (REPO / "Dockerfile").read_text().splitlines() if line.startswith("WORKDIR ")]
    return PurePosixPath(line.split()[1])


def test_the_blueprint_runs_one_docker_worker_built_from_the_dockerfile() -> None:
    worker = blueprint_worker()
    assert (worker["type"], worker["runtime"], worker["numInstances"]) == ("worker", "docker", 1)
    assert (REPO / worker["dockerfilePath"]).is_file()


def test_the_database_lives_on_the_disk_and_the_disk_hides_nothing_the_image_ships() -> None:
    worker = blueprint_worker()
    mount = PurePosixPath(worker["disk"]["mountPath"])
    values = {item["key"]: item.get("value") for item in worker["envVars"]}
    assert mount in PurePosixPath(values["ORAKL_SQLITE_PATH"]).parents
    # Mounted over data/ itself, the disk would hide the watchlist the image ships there.
    shipped = dockerfile_workdir() / Settings.model_fields["watchlist_path"].default
    assert mount not in shipped.parents


def test_every_variable_is_a_setting_and_secrets_are_asked_for_not_written_down() -> None:
    settings = {env_name((name,)) for name in Settings.model_fields}
    secrets = {env_name((name,)) for name in SECRET_FIELDS}
    variables = blueprint_worker()["envVars"]
    assert {item["key"] for item in variables} <= settings
    assert {"DISCORD_TOKEN", "POLYGON_API_KEY"} <= {item["key"] for item in variables}
    for item in variables:
        if item["key"] in secrets:
            assert item == {"key": item["key"], "sync": False}
