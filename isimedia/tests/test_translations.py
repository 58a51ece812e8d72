"""Every string meant for users has a Dutch translation, and the catalogues are up to date with the code."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils import translation

IGNORED = shutil.ignore_patterns(
    ".venv", ".git", "var", "artifacts", "node_modules", "static", "*.pyc", "__pycache__", "*.mo"
)


def untranslated(po_file: Path) -> list[str]:
    result = subprocess.run(
        ["msgattrib", "--untranslated", "--no-wrap", str(po_file)], capture_output=True, text=True, check=True
    )
    fuzzy = subprocess.run(
        ["msgattrib", "--only-fuzzy", "--no-wrap", str(po_file)], capture_output=True, text=True, check=True
    )
    lines = (result.stdout + fuzzy.stdout).splitlines()
    return [line for line in lines if line.startswith("msgid ") and line != 'msgid ""']


def test_catalogues_cover_every_string_in_the_code(tmp_path):
    # makemessages on a copy of the code: strings added to code or templates but not to a catalogue show up as
    # untranslated entries there, without touching the working tree.
    copy = tmp_path / "src"
    shutil.copytree(settings.BASE_DIR, copy, ignore=IGNORED)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "nl", "--no-obsolete", "-v", "0"],
        cwd=copy,
        check=True,
        env={"DJANGO_SETTINGS_MODULE": "isimedia.settings.test", "PATH": "/usr/bin:/bin"},
    )
    catalogues = sorted(copy.glob("**/locale/nl/LC_MESSAGES/django.po"))
    assert catalogues, "no Dutch catalogue found"
    missing = {str(po.relative_to(copy)): untranslated(po) for po in catalogues}
    assert {path: ids for path, ids in missing.items() if ids} == {}


def test_password_rules_are_explained_in_dutch():
    # Django 5.2's own Dutch catalogue lacks the new "too short" message; ours supplies it.
    with translation.override("nl"), pytest.raises(ValidationError) as error:
        password_validation.validate_password("kort")
    assert "Dit wachtwoord is te kort. Het moet minstens 10 tekens bevatten." in error.value.messages
