"""The e-mails of the NTD procedure: who gets which message, in which language, saying what the procedure promises."""

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone, translation

from contracts.tests.factories import ClientFactory, WebsiteFactory
from isimedia.models import OutboxMessage
from isimedia.outbox import email_queue
from isimedia.workdays import add_working_days
from ntd import services
from ntd.models import ApiKey, Capacity, OwnerContact
from ntd.tests.factories import decision, handler, make_case, notice_input

pytestmark = pytest.mark.django_db

# Monday 23 November 2026, 10:00 in Amsterdam (UTC+1): the client's deadline is Wednesday 25 November, 17:00.
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
EMAIL_DIR = Path(settings.BASE_DIR) / "templates" / "emails"
TEMPLATES = sorted(p.name for p in EMAIL_DIR.glob("ntd_*") if (p / "subject.nl.txt").exists())

REDRESS = {
    "nl": [
        "antwoord op deze e-mail",
        "buitengerechtelijke geschillenbeslechting",
        "naar de rechter",
        "geen geautomatiseerde middelen",
    ],
    "en": [
        "reply to this e-mail",
        "out-of-court dispute settlement body",
        "go to court",
        "does not use automated means",
    ],
}


@pytest.fixture
def clock(monkeypatch):
    """The services' "now", set by the test; any other zone is active, so only explicit conversions give 17:00."""

    class Clock:
        now = MONDAY

        def advance(self, **delta):
            self.now += timedelta(**delta)

    clock = Clock()
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    with timezone.override("America/New_York"):
        yield clock


def website(language="nl", **client):
    client.setdefault("name", "Bakker & Zn B.V.")
    return WebsiteFactory(host="korenschoof.example", client=ClientFactory(language=language, **client))


def case(state, *, language="nl", client_language=None, **overrides):
    """A case through the real services, on a website of a client speaking ``client_language``."""
    return make_case(state, website=website(client_language or language), language=language, **overrides)


def mail(template, **filters):
    return OutboxMessage.objects.get(template=template, **filters)


def assert_clean(message):
    """Plain text as written: no template syntax, no HTML escaping, no missing values, no gaping holes."""
    for text in (message.subject, message.body_text):
        assert "{{" not in text and "{%" not in text and "&amp;" not in text and "&#" not in text
        assert "None" not in text
    assert "\n\n\n\n" not in message.body_text
    assert message.body_text[:1].isalpha()
    assert message.body_html.lstrip().startswith("<!DOCTYPE html>")


# --- to the complainant ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "nl",
            ["ontvangen op maandag 23 november 2026, 10:00 (Nederlandse tijd)", "2 werkdagen", "naam en e-mailadres"],
        ),
        ("en", ["received it on Monday 23 November 2026, 10:00 (Amsterdam time)", "2 working days", "name and e-mail"]),
    ],
)
def test_the_complainant_gets_a_confirmation_with_reference_tracking_link_and_next_steps(clock, language, expected):
    notice, token = case("received", language=language)

    message = mail("ntd_received")
    assert message.to == "marieke@fotografie.example" and message.language == language
    assert notice.reference in message.subject
    assert f"http://testserver/ntd/volgen/{token}/" in message.body_text
    assert message.sensitive  # staff must not see the tracking link in the admin
    assert "https://www.korenschoof.example/recepten/gestolen-foto" in message.body_text
    for text in expected:
        assert text in message.body_text
    assert "112" not in message.body_text
    assert_clean(message)


@pytest.mark.parametrize(("language", "text"), [("nl", "met voorrang"), ("en", "with priority")])
def test_an_emergency_is_acknowledged_to_the_complainant(clock, language, text):
    case("received", language=language, is_emergency=True, emergency_reason="Er wordt met geweld gedreigd.")

    body = mail("ntd_received").body_text
    assert text in body and "112" in body


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nl", ["op maandag 23 november 2026 doorgestuurd", "tot woensdag 25 november 2026, 17:00 (Nederlandse tijd)"]),
        ("en", ["On Monday 23 November 2026 we therefore sent", "until Wednesday 25 November 2026, 17:00 (Amsterdam"]),
    ],
)
def test_the_complainant_hears_when_the_notice_went_to_the_client_and_its_deadline(clock, language, expected):
    notice, _ = case("awaiting_customer", language=language, client_language="nl")

    message = mail("ntd_forwarded")
    assert (message.to, message.language) == (notice.complainant_email, language)
    assert notice.reference in message.subject
    for text in expected:
        assert text in message.body_text
    assert_clean(message)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_an_incomplete_notice_is_rejected_with_what_is_missing_and_how_to_file_again(clock, language):
    notice, _ = case("rejected_incomplete", language=language)

    message = mail("ntd_rejected_incomplete")
    assert (message.to, message.language, message.reply_to) == (
        notice.complainant_email,
        language,
        "support@isimedia.nl",
    )
    assert notice.reference in message.subject
    assert "De URL ontbreekt." in message.body_text
    assert "http://testserver/ntd/" in message.body_text
    for text in REDRESS[language]:
        assert text in message.body_text
    assert_clean(message)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_site_we_do_not_host_is_rejected_with_redress(clock, language):
    notice, _ = case("rejected_not_hosted", language=language)

    message = mail("ntd_rejected_not_hosted")
    assert notice.reference in message.subject and message.language == language
    assert "Niet bij ons." in message.body_text
    for text in REDRESS[language]:
        assert text in message.body_text
    assert_clean(message)
    assert not OutboxMessage.objects.filter(template__startswith="ntd_customer_").exists()


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nl", ["niet eens met uw melding", "uiterlijk donderdag 26 november 2026, 17:00 (Nederlandse tijd)"]),
        ("en", ["disagrees with your notice", "by Thursday 26 November 2026, 17:00 (Amsterdam time)"]),
    ],
)
def test_the_complainant_hears_that_isi_media_assesses_and_by_when(clock, language, expected):
    notice, _ = case("awaiting_customer", language=language)
    clock.advance(days=1)  # the client disagrees on Tuesday: ISI Media decides by Thursday 17:00
    services.notice_customer_disagrees(notice_id=notice.pk, text="Wij hebben een licentie.")

    message = mail("ntd_under_assessment")
    assert notice.reference in message.subject and message.language == language
    for text in expected:
        assert text in message.body_text
    assert "licentie" not in message.body_text  # the client's reasons are for ISI Media, not the complainant
    assert_clean(message)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "nl",
            [
                "niet gereageerd op uw melding {ref} vóór de termijn van woensdag 25 november 2026, 17:00",
                "uiterlijk vrijdag 27 november 2026, 17:00 (Nederlandse tijd)",
            ],
        ),
        (
            "en",
            [
                "did not respond to your notice {ref} before its deadline of Wednesday 25 November 2026, 17:00",
                "by Friday 27 November 2026, 17:00 (Amsterdam time)",
            ],
        ),
    ],
)
def test_silence_of_the_client_is_explained_to_the_complainant(clock, language, expected):
    notice, _ = case("awaiting_customer", language=language)
    # The assessment starts at the client's deadline on Wednesday: ISI Media decides by Friday 17:00.
    services.notice_customer_deadline_passed(notice_id=notice.pk, now=notice.customer_deadline + timedelta(minutes=5))

    body = mail("ntd_under_assessment").body_text
    for text in expected:
        assert text.format(ref=notice.reference) in body


# --- decisions: both parties -----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["nl", "en"])
def test_resolved_by_the_client_both_are_told(clock, language):
    notice, _ = case("resolved_by_customer", language=language)

    to_complainant = mail("ntd_resolved")
    assert (to_complainant.to, to_complainant.language) == (notice.complainant_email, language)
    assert notice.reference in to_complainant.subject
    # The client's own words stay between the client and ISI Media, as on the tracking page.
    assert "Foto verwijderd." not in to_complainant.body_text
    for text in REDRESS[language]:
        assert text in to_complainant.body_text

    to_client = mail("ntd_customer_resolved")
    assert (to_client.to, to_client.language) == (notice.client.contact_email, language)
    assert notice.reference in to_client.subject and "korenschoof.example" in to_client.subject
    assert "Bakker & Zn B.V." in to_client.body_text
    for message in (to_complainant, to_client):
        assert_clean(message)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "nl",
            [
                "Maatregel: de inhoud is ontoegankelijk gemaakt",
                "Omvang: De pagina /recepten/gestolen-foto is onbereikbaar gemaakt",
                "Duur: voor onbepaalde tijd",
                "Geldt in: de Europese Economische Ruimte (EER)",
                "Melding van de maker met origineel bestand",
                "een melding van illegale inhoud (artikel 16 DSA), ontvangen op 23 november 2026",
                "Opsporing: geen geautomatiseerde middelen",
                "Besluit: geen geautomatiseerde middelen; een medewerker van ISI Media",
                "Wettelijke grondslag: Auteurswet art. 1 en 12",
                "Toelichting: De foto is zonder toestemming van de maker openbaar gemaakt.",
                "Ingegaan op: maandag 23 november 2026",
                "https://www.korenschoof.example/recepten/gestolen-foto",
                "buitengerechtelijke geschillenbeslechting",
                "kort geding",
                "antwoord op deze e-mail",
            ],
        ),
        (
            "en",
            [
                "Measure: access to the content was disabled",
                "Scope: De pagina /recepten/gestolen-foto is onbereikbaar gemaakt",
                "Duration: indefinite",
                "Applies in: the European Economic Area (EEA)",
                "Melding van de maker met origineel bestand",
                "a notice of illegal content (Article 16 DSA), received on 23 November 2026",
                "Detection: no automated means",
                "Decision: no automated means; a member of ISI Media's staff",
                "Legal ground: Auteurswet art. 1 en 12",
                "Explanation: De foto is zonder toestemming van de maker openbaar gemaakt.",
                "Took effect on: Monday 23 November 2026",
                "https://www.korenschoof.example/recepten/gestolen-foto",
                "out-of-court dispute settlement body",
                "summary proceedings",
                "reply to this e-mail",
            ],
        ),
    ],
)
def test_a_take_down_sends_the_client_a_full_statement_of_reasons(clock, language, expected):
    notice, _ = case("taken_down", language=language)

    message = mail("ntd_customer_taken_down")
    assert (message.to, message.language, message.reply_to) == (
        notice.client.contact_email,
        language,
        "support@isimedia.nl",
    )
    assert notice.reference in message.subject and "korenschoof.example" in message.subject
    for text in expected:
        assert text in message.body_text
    assert_clean(message)
    # The HTML part is its own layout, a table per section, with the same contents.
    html = message.body_html
    assert "<table" in html and "{{" not in html and "{%" not in html
    assert "Auteurswet art. 1 en 12" in html and "Bakker &amp; Zn B.V." in html
    assert ("voor onbepaalde tijd" if language == "nl" else "indefinite") in html


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nl", ["Duur: tot en met donderdag 31 december 2026", "ontvangen op 23 november 2026"]),
        ("en", ["Duration: until and including Thursday 31 December 2026", "received on 23 November 2026"]),
    ],
)
def test_an_emergency_take_down_states_its_end_date_and_reaches_both(clock, language, expected):
    notice, _ = make_case("received", language=language, is_emergency=True, emergency_reason="Doxxing.")
    services.notice_emergency_take_down(
        notice_id=notice.pk,
        decision=decision(end_date=date(2026, 12, 31)),
        reason="Adres en foto van een minderjarige.",
        user=handler(),
        website=website(language),
    )

    to_client = mail("ntd_customer_taken_down")
    for text in expected:
        assert text in to_client.body_text
    to_complainant = mail("ntd_taken_down")
    assert to_complainant.language == language and notice.reference in to_complainant.subject
    for text in REDRESS[language]:
        assert text in to_complainant.body_text


@pytest.mark.parametrize(("language", "text"), [("nl", "Spoed: wij hebben"), ("en", "Emergency: we took")])
def test_the_statement_can_give_the_reason_for_an_emergency_measure(clock, language, text):
    # notice_emergency_take_down keeps its reason in the event only; once it passes ``emergency_reason`` along,
    # the statement of reasons says why ISI Media did not wait.
    notice, _ = case("taken_down", language=language)
    message = email_queue(
        template="ntd_customer_taken_down",
        to="info@bakker.example",
        language=language,
        context={
            "notice": notice,
            "client": notice.client,
            "statement": notice.statement_of_reasons,
            "emergency_reason": "Adres & foto van een minderjarige.",
        },
    )
    assert f"{text}" in message.body_text and "Adres & foto van een minderjarige." in message.body_text
    assert "Adres &amp; foto van een minderjarige." in message.body_html
    assert_clean(message)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nl", ["onmiskenbaar onrechtmatig", "Maatregel: de inhoud is ontoegankelijk gemaakt", "Reden: De foto is"]),
        ("en", ["manifestly unlawful", "Measure: access to the content was disabled", "Reason: De foto is"]),
    ],
)
def test_the_complainant_hears_of_the_take_down_with_redress(clock, language, expected):
    notice, _ = case("taken_down", language=language)

    message = mail("ntd_taken_down")
    assert (message.to, message.language) == (notice.complainant_email, language)
    assert notice.reference in message.subject
    for text in expected + REDRESS[language]:
        assert text in message.body_text
    assert_clean(message)


@pytest.mark.parametrize(
    ("language", "complainant", "client"),
    [
        ("nl", "Reden: Licentie aangetoond.", "u hoeft niets te doen"),
        ("en", "Reason: Licentie aangetoond.", "no action needed"),
    ],
)
def test_not_manifestly_unlawful_both_are_told(clock, language, complainant, client):
    notice, _ = case("rejected_not_unlawful", language=language)

    to_complainant = mail("ntd_rejected_not_unlawful")
    assert notice.reference in to_complainant.subject and to_complainant.language == language
    assert complainant in to_complainant.body_text
    for text in REDRESS[language]:
        assert text in to_complainant.body_text

    to_client = mail("ntd_customer_rejected")
    assert notice.reference in to_client.subject and client in to_client.subject
    assert "Licentie aangetoond." in to_client.body_text
    for message in (to_complainant, to_client):
        assert_clean(message)


# --- to the hosting client -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "nl",
            [
                "tot uiterlijk woensdag 25 november 2026, 17:00 (Nederlandse tijd)",
                "Naam: Marieke Jansen",
                "E-mailadres: marieke@fotografie.example",
                "Organisatie: Foto & Film Jansen",
                "Meldt: als vertegenwoordiger (bijvoorbeeld advocaat of gemachtigde) van Studio Noord",
                "op 2 november 2026 via E-mail aan info@korenschoof.example",
                "binnen 2 werkdagen na de termijn",
            ],
        ),
        (
            "en",
            [
                "by Wednesday 25 November 2026, 17:00 (Amsterdam time)",
                "Name: Marieke Jansen",
                "E-mail address: marieke@fotografie.example",
                "Organisation: Foto & Film Jansen",
                "Acting: as the representative (for instance lawyer or agent) of Studio Noord",
                "on 2 November 2026 by E-mail aan info@korenschoof.example",
                "within 2 working days after the deadline",
            ],
        ),
    ],
)
def test_the_client_gets_the_complaint_with_identity_deadline_and_how_to_answer(clock, language, expected):
    notice, _ = case(
        "awaiting_customer",
        language="nl",
        client_language=language,
        complainant_organisation="Foto & Film Jansen",
        capacity=Capacity.REPRESENTATIVE,
        on_behalf_of="Studio Noord",
        urls=["https://korenschoof.example/a?x=1&y=2", "https://korenschoof.example/b"],
    )

    message = mail("ntd_customer_forwarded")
    assert (message.to, message.language, message.reply_to) == (
        notice.client.contact_email,
        language,
        "support@isimedia.nl",
    )
    assert message.sensitive  # it carries the answer link
    assert notice.reference in message.subject and "korenschoof.example" in message.subject
    assert "25 " in message.subject and "17:00" in message.subject
    body = message.body_text
    assert "Bakker & Zn B.V." in body
    assert "- https://korenschoof.example/a?x=1&y=2\n- https://korenschoof.example/b\n" in body
    with translation.override(language):
        assert notice.get_category_display() in body and notice.explanation in body
    assert "http://testserver/ntd/antwoord/" in body
    assert "+31" not in body  # the phone number is not part of what the procedure discloses
    for text in expected:
        assert text in body
    assert_clean(message)


def test_summer_time_deadlines_are_amsterdam_time_too(clock):
    clock.now = datetime(2026, 7, 6, 8, 0, tzinfo=UTC)  # Monday 6 July, 10:00 in Amsterdam (UTC+2)
    notice, _ = case("awaiting_customer")

    assert notice.customer_deadline == datetime(2026, 7, 8, 15, 0, tzinfo=UTC)
    for template in ("ntd_customer_forwarded", "ntd_forwarded"):
        assert "woensdag 8 juli 2026, 17:00 (Nederlandse tijd)" in mail(template).body_text


def test_the_client_is_warned_of_an_emergency_and_told_the_owner_could_not_be_reached(clock):
    case(
        "awaiting_customer",
        is_emergency=True,
        emergency_reason="Er wordt met geweld gedreigd.",
        owner_contact=OwnerContact.NO_DETAILS,
        owner_contacted_on=None,
        owner_contact_how="",
        owner_contact_result="Geen contactpagina of colofon.",
        complainant_phone="+31 6 12345678",
    )

    body = mail("ntd_customer_forwarded").body_text
    assert "leven of veiligheid" in body and "Er wordt met geweld gedreigd." in body
    assert "geen manier om de houder te bereiken" in body and "Geen contactpagina of colofon." in body
    assert "Meldt: voor zichzelf" in body
    assert "+31" not in body


# --- to the NTD handlers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "subject"),
    [
        ("nl", "[SPOED] [BETROUWBARE FLAGGER] Nieuwe NTD-melding {ref}"),
        ("en", "[EMERGENCY] [TRUSTED FLAGGER] New NTD notice {ref}"),
    ],
)
def test_handlers_see_emergency_and_trusted_flagger_in_the_subject(clock, language, subject):
    staff = handler(language=language)
    key = ApiKey.objects.create(
        name="Stichting Meldpunt",
        contact_email="api@meldpunt.example",
        prefix="abc123",
        key_hash="0" * 64,
        trusted_flagger=True,
    )
    WebsiteFactory(host="korenschoof.example", client=ClientFactory(name="Bakker & Zn B.V."))
    notice = services.notice_submit(
        data=notice_input(is_emergency=True, emergency_reason="Doodsbedreiging."), api_key=key
    ).notice

    message = mail("ntd_new_notice", to=staff.email)
    assert message.language == language
    assert message.subject == subject.format(ref=notice.reference)
    assert f"http://testserver/{settings.ADMIN_URL}ntd/notice/{notice.pk}/change/" in message.body_text
    assert "Doodsbedreiging." in message.body_text and "Stichting Meldpunt" in message.body_text
    assert "Bakker & Zn B.V." in message.body_text  # the hosting check, at a glance
    assert_clean(message)


def test_an_ordinary_notice_has_a_plain_subject(clock):
    staff = handler()
    notice, _ = make_case("received", urls=["https://elders.example/foto"])

    message = mail("ntd_new_notice", to=staff.email)
    assert message.subject == f"Nieuwe NTD-melding {notice.reference}"
    assert "niet gevonden bij de websites van onze klanten" in message.body_text


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "nl",
            ["niet eens met melding", "Wij hebben een licentie.", "Beslis uiterlijk donderdag 26 november 2026, 17:00"],
        ),
        ("en", ["disagrees with notice", "Wij hebben een licentie.", "Decide by Thursday 26 November 2026, 17:00"]),
    ],
)
def test_handlers_are_told_an_assessment_started_with_the_clients_reasons(clock, language, expected):
    staff = handler(language=language)
    notice, _ = case("awaiting_customer")
    clock.advance(days=1)
    services.notice_customer_disagrees(notice_id=notice.pk, text="Wij hebben een licentie.")

    message = mail("ntd_assessment_started", to=staff.email)
    assert notice.reference in message.subject and "26 " in message.subject
    assert f"/ntd/notice/{notice.pk}/change/" in message.body_text
    for text in expected:
        assert text in message.body_text
    assert_clean(message)


@pytest.mark.parametrize(("language", "subject"), [("nl", "2 NTD-beoordelingen"), ("en", "2 NTD assessments")])
def test_handlers_get_a_digest_of_overdue_assessments(clock, language, subject):
    staff = handler(language=language)
    first, _ = make_case("under_assessment", website=website())
    second, _ = make_case(
        "under_assessment", website=WebsiteFactory(host="tweede.example"), urls=["https://tweede.example/x"]
    )
    clock.now = add_working_days(first.assessment_deadline, 1)  # a working day, past both deadlines

    services.enforce_deadlines()

    message = mail("ntd_assessment_overdue", to=staff.email)
    assert message.language == language and message.subject.startswith(subject)
    for notice in (first, second):
        assert notice.reference in message.body_text
        assert f"http://testserver/{settings.ADMIN_URL}ntd/notice/{notice.pk}/change/" in message.body_text
    assert "woensdag 25 november 2026, 17:00" in message.body_text or "Wednesday 25 November 2026, 17:00" in (
        message.body_text
    )
    assert_clean(message)


# --- every template -------------------------------------------------------------------------------------------


def test_every_ntd_template_has_both_languages():
    assert len(TEMPLATES) == 15
    for name in TEMPLATES:
        for language in ("nl", "en"):
            for part in ("subject", "body_text"):
                assert (EMAIL_DIR / name / f"{part}.{language}.txt").exists(), (name, part, language)


def test_every_template_is_rendered_in_both_languages_and_reads_clean(clock):
    handler(language="en")  # the handlers' mails go out in each handler's language
    for language in ("nl", "en"):
        for state in [
            "rejected_incomplete",
            "rejected_not_hosted",
            "resolved_by_customer",
            "taken_down",
            "rejected_not_unlawful",
        ]:
            make_case(
                state,
                website=WebsiteFactory(
                    host=f"{state.replace('_', '-')}.{language}.example",
                    client=ClientFactory(language=language, name="Bakker & Zn"),
                ),
                language=language,
                complainant_organisation="Foto & Film",
                explanation='De foto "Zon & zee" <origineel> is van mij.',
                urls=[f"https://{state.replace('_', '-')}.{language}.example/foto?a=1&b=2"],
            )
    under_assessment, _ = make_case("under_assessment", website=WebsiteFactory(host="korenschoof.example"))
    clock.now = add_working_days(under_assessment.assessment_deadline, 1)
    services.enforce_deadlines()

    rendered = set(OutboxMessage.objects.values_list("template", "language"))
    assert rendered >= {(name, language) for name in TEMPLATES for language in ("nl", "en")}
    for message in OutboxMessage.objects.filter(template__startswith="ntd_"):
        assert_clean(message)


def test_the_html_part_escapes_what_the_complainant_typed(clock):
    case("awaiting_customer", explanation='Zie <a href="https://phish.example">hier</a> & daar.')

    html = mail("ntd_customer_forwarded").body_html
    assert "&lt;a href=" in html and "&amp; daar" in html
    assert '<a href="https://phish.example">' not in html
