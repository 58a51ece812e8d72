"""The Django side of bench/http_load.py: build the data the load runs need, and check what the runs wrote.

Runs with the same (production) settings and database as the portal under test, as a separate process:
  python bench/http/portal.py setup OUT.json   the client, its website, a DPA in force with its PDF, one signed
                                               acceptance with its sealed PDF, signers, and logged-in sessions
  python bench/http/portal.py notices OUT.json what the NTD form runs wrote (notices, events, outbox rows)
"""

import json
import os
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(BASE_DIR))

# The marker every benchmark notice carries, so the check counts only those.
NOTICE_MARKER = "bench-http"
SIGNERS = 14
DPA_LABEL = "2026-bench"


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "isimedia.settings.production")
    import django

    django.setup()


def _dpa_body() -> str:
    """A DPA of realistic length (a dozen articles), so its PDF and the sealed copy have a realistic size."""
    articles = []
    for number in range(1, 13):
        clauses = "\n\n".join(
            f"{number}.{clause} Verwerker verwerkt de persoonsgegevens uitsluitend in opdracht van "
            "Verwerkingsverantwoordelijke en op basis van diens schriftelijke instructies, tenzij een op Verwerker "
            "toepasselijke wettelijke bepaling hem tot verwerking verplicht; in dat geval stelt Verwerker "
            "Verwerkingsverantwoordelijke voorafgaand aan de verwerking in kennis van dat wettelijke voorschrift."
            for clause in range(1, 6)
        )
        articles.append(f"## Artikel {number} Onderwerp {number}\n\n{clauses}\n")
    return "\n".join(articles)


def _session_cookie(user) -> str:
    """A logged-in session for ``user``, as the browser would hold it after signing in."""
    from django.conf import settings
    from django.test import Client

    browser = Client()
    browser.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"


def setup(out: Path) -> None:
    _django()
    from django.conf import settings
    from django.urls import reverse
    from django.utils import timezone

    from contracts import sealing
    from contracts.models import Client, ClientContact, DocumentKind, Website
    from contracts.services import version_create_draft, version_publish, version_render_pdf
    from contracts.services.signing import dpa_sign, signed_pdf_make
    from isimedia.models import User

    # The organisation certificate the worker seals with (the path comes from CONTRACTS_SIGNING_PKCS12).
    sealing.make_self_signed_pkcs12(
        Path(settings.CONTRACTS_SIGNING_PKCS12), secret=settings.CONTRACTS_SIGNING_PASSPHRASE.encode(), demo=False
    )

    draft = version_create_draft(
        kind=DocumentKind.DPA,
        label=DPA_LABEL,
        title="Verwerkersovereenkomst",
        body=_dpa_body(),
        summary="",
        effective_on=timezone.localdate(),
    )
    version = version_publish(version_id=draft.pk, user=None, short_notice_reason="Benchmark")
    version_render_pdf(version_id=version.pk)

    # The client whose website the NTD notices name, with the contact who signed and downloads the PDF.
    client = Client.objects.create(
        name="Bakkerij De Korenschoof B.V.", kvk_number="12345678", contact_email="info@korenschoof.example"
    )
    Website.objects.create(client=client, host="korenschoof.example")
    contact_user = User.objects.create_user(email="jan@korenschoof.example", password=None, language="nl")
    ClientContact.objects.create(user=contact_user, client=client, name="Jan Jansen")
    acceptance = dpa_sign(
        client=client,
        user=contact_user,
        version=version,
        signer_name="Jan Jansen",
        signer_title="Directeur",
        authorised=True,
        ip_address="127.0.0.1",
        user_agent="bench",
    )
    started = time.perf_counter()
    acceptance = signed_pdf_make(acceptance_id=acceptance.pk)
    render_seconds = time.perf_counter() - started

    # Clients that have not signed yet: each signs once during the run.
    signers = []
    for number in range(SIGNERS):
        signer_client = Client.objects.create(
            name=f"Klant {number} B.V.",
            kvk_number=f"{20000000 + number:08d}",
            contact_email=f"info{number}@klant.example",
        )
        user = User.objects.create_user(email=f"contact{number}@klant.example", password=None, language="nl")
        ClientContact.objects.create(user=user, client=signer_client, name=f"Contact {number}")
        signers.append(
            {
                "cookie": _session_cookie(user),
                "sign_url": reverse("contracts_signing:dpa_sign", kwargs={"label": version.label}),
                "status_url": reverse("contracts_signing:dpa"),
                "client_id": signer_client.pk,
            }
        )

    data = {
        "acceptance_id": acceptance.pk,
        "pdf_url": reverse("contracts_signing:dpa_pdf", kwargs={"acceptance_id": acceptance.pk}),
        "pdf_path": acceptance.signed_pdf.path,
        "pdf_size": acceptance.signed_pdf.size,
        "contact_cookie": _session_cookie(contact_user),
        "render_seconds": render_seconds,
        "signers": signers,
    }
    out.write_text(json.dumps(data, indent=2))


def notices(out: Path) -> None:
    _django()
    from django.db.models import Count, Q

    from isimedia.models import OutboxMessage
    from ntd.models import Notice, NoticeEvent, State

    marked = Notice.objects.filter(complainant_organisation=NOTICE_MARKER)
    counted = marked.annotate(
        n_events=Count("events", filter=Q(events__to_state=State.RECEIVED), distinct=True),
        n_urls=Count("urls", distinct=True),
    )
    total = counted.count()
    complete = counted.filter(n_events=1, n_urls=2).count()
    confirmations = OutboxMessage.objects.filter(template="ntd_received", to__startswith="bench-").count()
    out.write_text(
        json.dumps(
            {
                "notices": total,
                "complete": complete,
                "events": NoticeEvent.objects.filter(notice__in=marked).count(),
                "confirmations": confirmations,
                "outbox_pending": OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING).count(),
                "outbox_sent": OutboxMessage.objects.filter(status=OutboxMessage.Status.SENT).count(),
                "outbox_failed": OutboxMessage.objects.filter(status=OutboxMessage.Status.FAILED).count(),
            }
        )
    )


if __name__ == "__main__":
    command, target = sys.argv[1], Path(sys.argv[2])
    {"setup": setup, "notices": notices}[command](target)
