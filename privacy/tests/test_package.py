"""The data package: everything the portal holds about the address, across the apps, and nothing about others."""

import io
import json
import tempfile
import tracemalloc
import zipfile

import pytest
from django.utils import timezone, translation

from privacy import package, registry
from privacy.package import build_package, write_package
from privacy.tests.factories import ConfirmedRequestFactory, RequestMessageFactory
from privacy.tests.factories_registry import ADDRESS, OTHER, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def access_request():
    request = ConfirmedRequestFactory(
        email="Sanne.de.Vries@Voorbeeld.example",
        name="Sanne de Vries",
        description="Welke gegevens heeft u over mij?",
        language="nl",
        due_on=timezone.localdate(),
    )
    RequestMessageFactory(request=request, text="Wij zoeken uw gegevens op, Sanne.")
    ConfirmedRequestFactory(
        email=OTHER, name="Piet Pietersen", description="Verzoek van Piet", due_on=timezone.localdate()
    )
    return request


def unzip(package: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def test_the_package_holds_the_address_data_of_every_app_and_nothing_of_others(world, access_request):
    files = unzip(build_package(access_request))
    assert sorted(files) == ["README.txt", "data.json", "overzicht.html"]
    data = json.loads(files["data.json"])
    assert data["reference"] == access_request.reference
    assert data["email"] == "Sanne.de.Vries@Voorbeeld.example"
    assert data["generated_at"].startswith(timezone.localdate().isoformat())
    parts = data["data"]
    # Every entry is there, found or not, so the person sees where the portal looked.
    assert list(parts) == [entry.key for entry in registry.entries()]

    complaints = parts["ntd.complaints"]["records"]
    assert [c["reference"] for c in complaints] == [world.complaint.reference]
    assert complaints[0]["complainant_phone"] == "06-12345678"
    assert complaints[0]["urls"] == ["https://www.elders.example/gestolen"]
    assert [f["original_name"] for f in complaints[0]["files"]] == ["mijn-originele-foto.png"]
    assert complaints[0]["steps"] and complaints[0]["steps"][0]["at"]

    answers = parts["ntd.client_answers"]["records"]
    assert [(a["reference"], a["text"]) for a in answers] == [(world.answered.reference, "Wij hebben een licentie.")]

    [contact] = parts["contracts.contacts"]["records"]
    assert (contact["name"], contact["phone"], contact["client"]) == (
        "Sanne de Vries",
        "06-12345678",
        "Bakkerij De Korenschoof B.V.",
    )
    [acceptance] = parts["contracts.dpa_acceptances"]["records"]
    assert (acceptance["signer_name"], acceptance["ip_address"], acceptance["version_label"]) == (
        "Sanne de Vries",
        "192.0.2.7",
        "2026-01",
    )
    assert [o["text"] for o in parts["contracts.objections"]["records"]] == ["Artikel 1 is ons te vaag, Sanne."]
    assert [c["name"] for c in parts["contracts.clients"]["records"]] == ["Fotografie Sanne de Vries"]
    assert [k["prefix"] for k in parts["ntd.api_keys"]["records"]] == ["abcd1234"]
    assert [a["email"] for a in parts["isimedia.accounts"]["records"]] == [ADDRESS]

    emails = {e["subject"]: e for e in parts["isimedia.emails"]["records"]}
    assert {"Uw factuur is verstuurd", "Kies uw wachtwoord"} <= set(emails)
    assert "Bericht voor Piet" not in emails
    assert emails["Uw factuur is verstuurd"]["body"].startswith("Beste lezer")
    # A secret link could still be used by whoever reads the package: that body stays out.
    assert emails["Kies uw wachtwoord"]["body"] is None
    assert emails["Kies uw wachtwoord"]["contained_personal_link"] is True

    [notification] = parts["privacy.breach_notifications"]["records"]
    # Only the person's own address, not the others the client's notification went to.
    assert (notification["breach"], notification["recipients"]) == (
        "DL-2000-00001",
        ["Sanne.de.Vries@Voorbeeld.example"],
    )

    [request] = parts["privacy.requests"]["records"]
    assert request["reference"] == access_request.reference
    assert [m["text"] for m in request["messages"]] == ["Wij zoeken uw gegevens op, Sanne."]

    everything = files["data.json"] + files["overzicht.html"] + files["README.txt"]
    for foreign in ("Piet", "Marieke", "marieke@fotografie.example", "010-7654321", "geheim-123", "Andere stichting"):
        assert foreign not in everything, foreign


def test_the_summary_shows_the_same_data_readably_in_the_requesters_language(world, access_request):
    files = unzip(build_package(access_request))
    summary = files["overzicht.html"]
    assert summary.startswith("<!DOCTYPE html>")
    assert '<html lang="nl">' in summary
    for text in (
        access_request.reference,
        world.complaint.reference,
        world.answered.reference,
        "mijn-originele-foto.png",
        "Bakkerij De Korenschoof B.V.",
        "192.0.2.7",
        "Artikel 1 is ons te vaag, Sanne.",
        "Uw factuur is verstuurd",
        "Wij zoeken uw gegevens op, Sanne.",
        "Fotografie Sanne de Vries",
        "Back-up onbeveiligd bereikbaar",
    ):
        assert text in summary, text
    # Self-contained: nothing is fetched from elsewhere when the file is opened.
    for external in ("<script", "<link", "src=", "@import", "url("):
        assert external not in summary
    assert "overzicht.html" in files["README.txt"]


def test_an_english_request_gets_summary_html(world, access_request):
    access_request.language = "en"
    access_request.save(update_fields=["language"])
    files = unzip(build_package(access_request))
    assert sorted(files) == ["README.txt", "data.json", "summary.html"]
    assert '<html lang="en">' in files["summary.html"]
    assert "Your personal data at ISI Media" in files["summary.html"]
    assert "summary.html" in files["README.txt"]
    assert json.loads(files["data.json"])["language"] == "en"


def test_what_people_typed_is_escaped_in_the_summary(access_request):
    access_request.description = '<script>alert("x")</script> & <b>vet</b>'
    access_request.save(update_fields=["description"])
    summary = unzip(build_package(access_request))["overzicht.html"]
    assert "<script>alert" not in summary
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;vet&lt;/b&gt;" in summary
    data = json.loads(unzip(build_package(access_request))["data.json"])
    assert data["data"]["privacy.requests"]["records"][0]["description"].startswith("<script>")


def test_the_same_data_at_the_same_moment_gives_the_same_bytes(world, access_request):
    moment = timezone.now()
    assert build_package(access_request, now=moment) == build_package(access_request, now=moment)


def test_an_address_without_data_gets_a_package_that_says_so(access_request):
    access_request.email = "niemand@nergens.example"
    access_request.save(update_fields=["email"])
    # The request itself is filed under the address it was made with: here, that is the only record.
    files = unzip(build_package(access_request))
    data = json.loads(files["data.json"])["data"]
    assert [key for key, part in data.items() if part["records"]] == ["privacy.requests"]
    with translation.override("nl"):
        # One "nothing here" per empty part.
        assert files["overzicht.html"].count('class="empty"') >= len(data) - 1


# --- streamed --------------------------------------------------------------------------------------------------


def feedback_rows(count: int, email: str) -> None:
    from satisfaction.tests.factories import FeedbackFactory

    FeedbackFactory.create_batch(count, email=email, name="Sanne de Vries", comment="Snel geholpen,\nbedankt!")


def peak_bytes(request) -> int:
    with tempfile.TemporaryFile() as out:
        tracemalloc.start()
        try:
            write_package(request, out)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


def test_data_json_is_byte_for_byte_the_json_of_the_export(world, access_request):
    feedback_rows(3, access_request.email)
    data = unzip(build_package(access_request))["data.json"]
    with translation.override(access_request.language):
        exported = registry.export_all(access_request.email)
    expected = {**{key: value for key, value in json.loads(data).items() if key != "data"}, "data": exported}
    # Written record by record, yet exactly what json.dumps of the whole gives.
    assert data == json.dumps(expected, ensure_ascii=False, indent=2) + "\n"


def test_the_package_is_written_in_chunks_so_memory_does_not_grow_with_the_records(access_request, monkeypatch):
    monkeypatch.setattr(registry, "EXPORT_CHUNK", 20)
    # The summary's sections wait on disk beyond this size (normally 1 MiB, more than these records make).
    monkeypatch.setattr(package, "_SPOOL_BYTES", 16 * 1024)
    peak_bytes(access_request)  # templates and translations loaded once
    feedback_rows(40, access_request.email)
    few = peak_bytes(access_request)
    feedback_rows(360, access_request.email)
    many = peak_bytes(access_request)
    summary = unzip(build_package(access_request))["overzicht.html"]
    assert summary.count("Snel geholpen,<br>bedankt!") == 400
    # Ten times the records, held in memory a chunk at a time (bench/data_scale.py measures 10,000).
    assert many < few * 1.5, (few, many)
