"""The README commands stop with one clear line when PostgreSQL or Redis cannot be reached."""

import os
import subprocess
import sys
from pathlib import Path

from isimedia.tests.support import free_port

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "services.py"


def run(**env):
    return subprocess.run(
        [sys.executable, str(SCRIPT), "check"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_unreachable_postgres_is_named_with_where_and_which_variable():
    port = free_port()
    result = run(DATABASE_URL=f"postgres://postgres@127.0.0.1:{port}/isimedia")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"ERROR: PostgreSQL is not reachable at 127.0.0.1:{port}")
    assert "set DATABASE_URL" in lines[0]


def test_unreachable_redis_is_named_without_its_password():
    port = free_port()
    result = run(REDIS_URL=f"redis://:s3cret@127.0.0.1:{port}/0")
    assert result.returncode == 1
    assert result.stderr.strip() == result.stderr.strip().splitlines()[0]
    assert f"ERROR: Redis is not reachable at redis://:***@127.0.0.1:{port}/0" in result.stderr
    assert "set REDIS_URL" in result.stderr
    assert "s3cret" not in result.stderr


def test_reachable_services_pass():
    assert run().returncode == 0
