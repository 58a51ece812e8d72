"""The backup scripts: a backup of real data restores into a fresh database and media directory, and the portal
serves from them."""

import http.client
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from isimedia.tests.support import free_port
from ntd import services as ntd_services
from ntd.tests.factories import notice_input
from ntd.uploads import check_uploads
from privacy import services as privacy_services
from privacy.crypto import read_decrypted
from privacy.tests.factories import OfficerFactory, request_input

BASE_DIR = Path(django_settings.BASE_DIR)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% gemaskeerde kopie\n%%EOF\n"
# Never used to log in where the server trusts local connections, and never to be seen in any output.
SECRET = "backup-test-secret-never-printed"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def database_url(name: str) -> str:
    config = connection.settings_dict
    password = config["PASSWORD"] or SECRET
    host = config["HOST"] or "127.0.0.1"
    port = config["PORT"] or 5432
    return f"postgres://{quote(config['USER'] or 'postgres', safe='')}:{quote(password, safe='')}@{host}:{port}/{name}"


def connect(name: str):
    config = connection.settings_dict
    return psycopg2.connect(
        dbname=name,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        host=config["HOST"] or "127.0.0.1",
        port=config["PORT"] or None,
    )


def client_tool(*args: str) -> subprocess.CompletedProcess:
    """createdb or dropdb on the test database's server."""
    config = connection.settings_dict
    server = [
        "-h",
        config["HOST"] or "127.0.0.1",
        "-p",
        str(config["PORT"] or 5432),
        "-U",
        config["USER"] or "postgres",
    ]
    environment = {**os.environ, **({"PGPASSWORD": config["PASSWORD"]} if config["PASSWORD"] else {})}
    return subprocess.run([args[0], *server, *args[1:]], env=environment, capture_output=True, text=True, timeout=60)


def run(script: str, *args: str, env: dict) -> subprocess.CompletedProcess:
    # The scripts read the portal's variables; a .env in the project must not point them elsewhere.
    environment = {**os.environ, "DJANGO_FILE_STORAGE": "django.core.files.storage.FileSystemStorage", **env}
    return subprocess.run(
        [str(BASE_DIR / "scripts" / script), *args], env=environment, capture_output=True, text=True, timeout=60
    )


def get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def wait_for(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 45
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the portal stopped: {server.stdout.read()}")
        try:
            get(port, "/")
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail("the portal did not answer within 45 seconds")


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_fresh_database_and_the_portal_serves_from_it(tmp_path):
    for tool in ["pg_dump", "pg_restore", "psql"]:
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is not installed; the backup test needs the PostgreSQL client tools")
    # Real data through the services, committed so pg_dump sees it: a notice with a file, an encrypted identity copy.
    submitted = ntd_services.notice_submit(
        data=notice_input(files=check_uploads([SimpleUploadedFile("origineel.png", PNG, content_type="image/png")]))
    )
    notice = submitted.notice
    (evidence,) = notice.evidence.all()
    request = privacy_services.request_submit(data=request_input())
    privacy_services.request_confirm(request_id=request.pk)
    privacy_services.request_identity_ask(
        request_id=request.pk, doubt="Naam past niet bij het adres.", message="", user=OfficerFactory()
    )
    (identity,) = privacy_services.request_upload(
        request_id=request.pk, files=[SimpleUploadedFile("paspoort.pdf", PDF)]
    )
    assert PDF not in (Path(django_settings.MEDIA_ROOT) / identity.encrypted_path).read_bytes()

    backup = run(
        "backup.sh",
        str(tmp_path / "backups"),
        env={
            "DATABASE_URL": database_url(connection.settings_dict["NAME"]),
            "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
        },
    )
    assert backup.returncode == 0, backup.stderr
    backup_dir = Path(backup.stdout.strip())
    assert sorted(path.name for path in backup_dir.iterdir()) == [
        "MANIFEST",
        "SHA256SUMS",
        "database.dump",
        "media.tar.gz",
    ]
    manifest = (backup_dir / "MANIFEST").read_text()
    assert "media.tar.gz, 2 files" in manifest and "ntd 0" in manifest
    assert SECRET not in backup.stdout + backup.stderr + manifest

    restored_name = f"isimedia_restored_{uuid.uuid4().hex[:12]}"
    restored_media = tmp_path / "restored-media"
    restored_env = {"DATABASE_URL": database_url(restored_name), "DJANGO_MEDIA_ROOT": str(restored_media)}
    server = None
    try:
        createdb = client_tool("createdb", restored_name)
        assert createdb.returncode == 0, createdb.stderr
        restore = run("restore.sh", str(backup_dir), env=restored_env)
        assert restore.returncode == 0, restore.stderr
        assert SECRET not in restore.stdout + restore.stderr
        assert "Media restored" in restore.stdout

        # A second restore into the same, now filled, database is refused and changes nothing.
        again = run("restore.sh", str(backup_dir), env=restored_env)
        assert again.returncode != 0 and "add --force" in again.stderr

        # The encrypted identity copy came back, still encrypted, and the key opens it.
        with override_settings(MEDIA_ROOT=restored_media):
            assert read_decrypted(identity.encrypted_path) == PDF
        with connect(restored_name) as restored, restored.cursor() as cursor:
            cursor.execute("select encrypted_path from privacy_requesterfile")
            assert cursor.fetchall() == [(identity.encrypted_path,)]
        restored.close()

        # From here on the portal can only find the files in the restored copy.
        shutil.rmtree(tmp_path / "media")
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", "--skip-checks", f"127.0.0.1:{port}"],
            cwd=BASE_DIR,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "isimedia.settings.test",
                "DATABASE_URL": restored_env["DATABASE_URL"],
                "TEST_MEDIA_ROOT": str(restored_media),
            },
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        track = reverse("ntd:track", kwargs={"token": submitted.tracking_token})
        wait_for(port, server)

        status, page = get(port, track)
        assert status == 200
        assert notice.reference in page.decode()
        status, download = get(
            port, reverse("ntd:track_evidence", kwargs={"token": submitted.tracking_token, "evidence_id": evidence.pk})
        )
        assert status == 200 and download == PNG
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
            server.stdout.close()
        client_tool("dropdb", "--if-exists", restored_name)
