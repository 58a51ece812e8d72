"""Checks that PostgreSQL and Redis can be reached, and creates the database if it is missing.

Runs before Django is set up (the database may not exist yet), so it reads the same environment variables as the
settings do and reports a failure as one line: which service, where it looked, which variable to set.
Usage: python scripts/services.py check | createdb
"""

import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
import psycopg2
import redis
from psycopg2 import sql

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/isimedia"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def _env():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
    return environ.Env()


def database_config():
    return environ.Env.db_url_config(_env().str("DATABASE_URL", default=DEFAULT_DATABASE_URL))


def _connect(config, dbname):
    return psycopg2.connect(
        dbname=dbname,
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        connect_timeout=3,
    )


def _where(config):
    return f"{config.get('HOST') or 'local socket'}:{config.get('PORT') or 5432}"


def check_postgres(config) -> str | None:
    try:
        _connect(config, "postgres").close()
    except psycopg2.OperationalError as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else "no answer"
        return f"PostgreSQL is not reachable at {_where(config)} ({reason}); set DATABASE_URL to a reachable server."
    return None


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def check_redis() -> str | None:
    url = _env().str("REDIS_URL", default=DEFAULT_REDIS_URL)
    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        return f"Redis is not reachable at {_without_password(url)} ({error}); set REDIS_URL to a reachable server."
    finally:
        client.close()
    return None


def create_database(config) -> str:
    name = config["NAME"]
    connection = _connect(config, "postgres")
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone():
                return f"Database {name} exists."
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            return f"Database {name} created."
    finally:
        connection.close()


def main(argv):
    command = argv[1] if len(argv) > 1 else "check"
    config = database_config()
    problems = [p for p in (check_postgres(config), check_redis()) if p]
    if problems:
        for problem in problems:
            print(f"ERROR: {problem}", file=sys.stderr)
        return 1
    if command == "createdb":
        print(create_database(config))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
