"""Data-scale benchmark: the deadline sweep, the admin changelists and the privacy data package at realistic sizes.

Run as ``python bench/data_scale.py --json OUT`` (``bench/run.py`` does, for ``make bench``). It creates its own
database (``isimedia_bench_data``), migrates it, fills it with generated rows using SQL (``INSERT ... SELECT
generate_series``: a million rows in seconds, where the ORM would take minutes), measures in this process with
production settings and throwaway secrets, writes one JSON row per target, and drops the database (unless --keep).

E-mail: the outbox only queues (no worker runs here); the broker is Redis db 8, flushed at the end. EMAIL_URL is
``consolemail://`` but nothing is sent.
"""

# The generated SQL is built from constants of this file only (S608), and reads best with its long lines (E501).
# ruff: noqa: S608, E501

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "isimedia_bench_data"
PG = "postgres://postgres@127.0.0.1:5432"
REDIS_URL = "redis://127.0.0.1:6379/8"

OPEN_CASES = 1_000_000
SMALL_OPEN_CASES = 1_000
DUE = 100
LIST_ROWS = 100_000
SMALL_LIST_ROWS = 100
LIST_REQUESTS = 15
PACKAGE_ROWS = 10_000
SMALL_PACKAGE_ROWS = 1_000
PERSON = "Sanne.Bench@Voorbeeld.example"
SMALL_PERSON = "piet.bench@voorbeeld.example"


def _environment() -> None:
    """Production settings with throwaway secrets; plain http for the in-process client."""
    from cryptography.fernet import Fernet

    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "isimedia.settings.production",
            "DATABASE_URL": f"{PG}/{DB_NAME}",
            "REDIS_URL": REDIS_URL,
            "CELERY_BROKER_URL": REDIS_URL,
            "DJANGO_SECRET_KEY": "bench-only-" + Fernet.generate_key().decode(),
            "DJANGO_ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
            "SITE_URL": "http://127.0.0.1:8000",
            "EMAIL_URL": "consolemail://",
            "PRIVACY_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "SATISFACTION_CAPTCHA_HMAC_KEY": "bench-only",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_MEDIA_ROOT": tempfile.mkdtemp(prefix="bench-data-media-"),
            # The admin pages name static files through the manifest that collectstatic writes: collected here into
            # a directory of the run's own, so a fresh clone needs no collected files.
            "DJANGO_STATIC_ROOT": tempfile.mkdtemp(prefix="bench-data-static-"),
        }
    )


def _admin_database(sql: str) -> None:
    import psycopg2

    connection = psycopg2.connect(f"{PG}/postgres")
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(sql)
    finally:
        connection.close()


def row(what, measured, target, met, detail="", baseline=None) -> dict:
    return {
        "what": what,
        "baseline": baseline,
        "measured": measured,
        "target": target,
        "met": bool(met),
        "detail": detail,
    }


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds >= 0.01 else f"{seconds * 1000:.1f} ms"


# --- generated data --------------------------------------------------------------------------------------------

# Closed states for the years of decided cases in the queue.
_CLOSED = (
    "(ARRAY['taken_down','rejected_not_unlawful','resolved_by_customer','rejected_incomplete','rejected_not_hosted'])"
)
_CATEGORIES = (
    "(ARRAY['intellectual_property','illegal_speech','data_protection','scams_fraud','pornography','bullying',"
    "'other','unsafe_products'])"
)


def _sql(statement: str, params=()) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        # Always with parameters, so every modulo (written " % ") is escaped the same way.
        cursor.execute(statement.replace(" % ", " %% "), params)
        return cursor.rowcount


def _scalar(statement: str, params=()):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement.replace(" % ", " %% "), params)
        return cursor.fetchone()[0]


def insert_base() -> None:
    """Clients and their websites, NTD handlers, a superuser."""
    from django.contrib.auth.models import Group

    from isimedia import roles
    from isimedia.models import User

    _sql(
        """INSERT INTO contracts_client (name, kvk_number, contact_email, language, created_at)
        SELECT 'Klant ' || i || ' B.V.', lpad((10000000 + i)::text, 8, '0'), 'info@klant' || i || '.example',
               CASE WHEN i % 5 = 0 THEN 'en' ELSE 'nl' END, now() - i * interval '1 day'
        FROM generate_series(1, 300) AS i"""
    )
    _sql(
        """INSERT INTO contracts_website (host, created_at, client_id)
        SELECT 'www.site' || i || '.example', now() - i * interval '1 day', c.id
        FROM generate_series(1, 600) AS i
        JOIN contracts_client c ON c.kvk_number = lpad((10000000 + 1 + i % 300)::text, 8, '0')"""
    )
    handlers = Group.objects.get(name=roles.NTD_HANDLERS)
    for number in range(3):
        user = User.objects.create_user(
            email=f"behandelaar{number}@isimedia.example", password=None, is_staff=True, first_name=f"B{number}"
        )
        user.groups.add(handlers)
    User.objects.create_superuser(email="bench-admin@isimedia.example", password=None)


def insert_notices(count: int, kind: str, *, email: str | None = None) -> None:
    """``count`` notices: "open" (received, waiting for the client, being assessed), "due" (the client's deadline
    passed), or "mixed" (years of cases, mostly decided). Every NOT NULL column gets a realistic value."""
    start = _scalar("SELECT coalesce(max(id), 0) FROM ntd_notice") + 1
    if kind == "open":
        state = "(ARRAY['received','awaiting_customer','under_assessment'])[1 + i % 3]"
    elif kind == "due":
        state = "'awaiting_customer'"
    else:
        state = f"CASE WHEN i % 10 < 3 THEN (ARRAY['received','awaiting_customer','under_assessment'])[1 + i % 3] ELSE {_CLOSED}[1 + i % 5] END"
    due_deadline = "now() - interval '1 hour' - (i % 3600) * interval '1 second'"
    # A week ahead at least: the sweep runs at the next working day when today is not one (see sweep_moment).
    future_deadline = "now() + interval '7 days' + (i % 200) * interval '1 hour'"
    deadline = due_deadline if kind == "due" else future_deadline
    address = "%s" if email else "'melder' || i || '@voorbeeld' || (i % 997) || '.example'"
    _sql(
        f"""
        WITH s AS (
            SELECT i, {state} AS state, now() - (i % 20000) * interval '37 minutes' AS received
            FROM generate_series(%s, %s) AS i
        )
        INSERT INTO ntd_notice (
            reference, state, received_at, language, source_type, category, explanation,
            complainant_name, complainant_email, complainant_phone, complainant_organisation, capacity, on_behalf_of,
            owner_contact, owner_contacted_on, owner_contact_how, owner_contact_result,
            good_faith, identity_disclosure_accepted, is_emergency, emergency_reason,
            website_id, forwarded_at, customer_deadline, assessment_started_at, assessment_deadline, next_deadline,
            assessment_reminded_on, decided_at, decision_reason, automated_means,
            referred_to, referral_reference, tracking_token_hash, customer_token_hash
        )
        SELECT
            'NTD-' || (2019 + i % 8) || '-' || lpad(i::text, 7, '0'), state, received,
            CASE WHEN i % 4 = 0 THEN 'en' ELSE 'nl' END,
            CASE WHEN i % 20 = 0 THEN 'SOURCE_TRUSTED_FLAGGER' ELSE 'SOURCE_ARTICLE_16' END,
            {_CATEGORIES}[1 + i % 8],
            'Op deze pagina staat mijn foto zonder toestemming; ik heb de rechten en heb geen licentie gegeven (' || i || ').',
            'Melder ' || i, {address}, CASE WHEN i % 3 = 0 THEN '06-' || lpad((i % 100000000)::text, 8, '0') ELSE '' END,
            CASE WHEN i % 5 = 0 THEN 'Rechtenbureau ' || (i % 50) ELSE '' END,
            CASE WHEN i % 5 = 0 THEN 'organisation' ELSE 'self' END, '',
            CASE WHEN i % 2 = 0 THEN 'contacted' ELSE 'no_details' END,
            CASE WHEN i % 2 = 0 THEN (received - interval '3 days')::date END,
            CASE WHEN i % 2 = 0 THEN 'per e-mail' ELSE '' END,
            CASE WHEN i % 2 = 0 THEN 'geen reactie' ELSE '' END,
            true, true, i % 200 = 0, CASE WHEN i % 200 = 0 THEN 'Er wordt een adres en telefoonnummer getoond.' ELSE '' END,
            CASE WHEN state = 'received' THEN NULL ELSE (SELECT min(id) FROM contracts_website) + i % 600 END,
            CASE WHEN state = 'received' THEN NULL ELSE received + interval '2 hours' END,
            CASE WHEN state = 'received' THEN NULL WHEN state = 'awaiting_customer' THEN {deadline}
                 ELSE received + interval '2 days' END,
            CASE WHEN state IN ('under_assessment', 'taken_down', 'rejected_not_unlawful') THEN received + interval '2 days' END,
            CASE WHEN state = 'under_assessment' THEN {future_deadline}
                 WHEN state IN ('taken_down', 'rejected_not_unlawful') THEN received + interval '7 days' END,
            CASE WHEN state = 'awaiting_customer' THEN {deadline} WHEN state = 'under_assessment' THEN {future_deadline} END,
            NULL,
            CASE WHEN state IN ('received', 'awaiting_customer', 'under_assessment') THEN NULL ELSE received + interval '5 days' END,
            CASE WHEN state IN ('received', 'awaiting_customer', 'under_assessment') THEN '' ELSE 'Afgehandeld volgens de procedure.' END,
            false, '', '',
            encode(sha256(('tracking-' || i)::bytea), 'hex'),
            CASE WHEN state = 'received' THEN NULL ELSE encode(sha256(('customer-' || i)::bytea), 'hex') END
        FROM s
        """,
        (start, start + count - 1, *((email,) if email else ())),
    )


def insert_overdue_reminded(count: int, *, today) -> None:
    """Assessments past their deadline whose handlers were reminded today already: the sweep skips them."""
    start = _scalar("SELECT coalesce(max(id), 0) FROM ntd_notice") + 1
    insert_notices(count, "open")
    _sql(
        """UPDATE ntd_notice SET state = 'under_assessment', website_id = (SELECT min(id) FROM contracts_website),
               forwarded_at = received_at, customer_deadline = now() - interval '3 days',
               assessment_started_at = now() - interval '3 days', assessment_deadline = now() - interval '1 day',
               next_deadline = now() - interval '1 day', assessment_reminded_on = %s
           WHERE id >= %s""",
        (today, start),
    )


def insert_requests(count: int, *, email: str | None = None) -> None:
    """Privacy requests, mostly closed, some open (and a few never confirmed), each with an event and a message."""
    start = _scalar("SELECT coalesce(max(id), 0) FROM privacy_datasubjectrequest") + 1
    address = "%s" if email else "'aanvrager' || i || '@voorbeeld' || (i % 991) || '.example'"
    _sql(
        f"""
        WITH s AS (
            SELECT i, CASE WHEN i % 10 < 2 THEN (ARRAY['received','awaiting_identity','awaiting_approval'])[1 + i % 3]
                           WHEN i % 10 = 2 THEN 'unconfirmed'
                           ELSE (ARRAY['completed','refused','forwarded'])[1 + i % 3] END AS state,
                   now() - (i % 20000) * interval '41 minutes' AS received
            FROM generate_series(%s, %s) AS i
        )
        INSERT INTO privacy_datasubjectrequest (
            reference, "right", relation, hosted_url, name, email, description, language, channel, state, received_at,
            confirmed_at, confirm_expires_at, due_on, extension_months, extension_reason, paused_days, identity_doubt,
            erasure_plan, erasure_result, reply, closed_at
        )
        SELECT
            'AVG-' || (2019 + i % 8) || '-' || lpad(i::text, 7, '0'),
            (ARRAY['access','erasure','rectification','portability','objection'])[1 + i % 5],
            CASE WHEN i % 7 = 0 THEN 'hosted_site' ELSE 'visitor' END,
            CASE WHEN i % 7 = 0 THEN 'https://www.site' || (i % 600) || '.example/over-ons' ELSE '' END,
            'Aanvrager ' || i, {address}, 'Welke gegevens heeft u over mij? (' || i || ')',
            CASE WHEN i % 4 = 0 THEN 'en' ELSE 'nl' END, 'web', state, received,
            CASE WHEN state = 'unconfirmed' THEN NULL ELSE received + interval '10 minutes' END,
            received + interval '30 days',
            CASE WHEN state = 'unconfirmed' THEN NULL ELSE (received + interval '1 month')::date END,
            0, '', 0, '', '[]'::jsonb, '[]'::jsonb,
            CASE WHEN state IN ('completed', 'refused', 'forwarded') THEN 'Uw verzoek is afgehandeld.' ELSE '' END,
            CASE WHEN state IN ('completed', 'refused', 'forwarded') THEN received + interval '20 days' END
        FROM s
        """,
        (start, start + count - 1, *((email,) if email else ())),
    )
    _sql(
        """INSERT INTO privacy_requestevent (at, actor, from_state, to_state, transition, note, request_id)
        SELECT received_at + interval '10 minutes', 'requester', 'unconfirmed', 'received', 'confirm', '', id
        FROM privacy_datasubjectrequest WHERE id >= %s AND state <> 'unconfirmed'""",
        (start,),
    )
    _sql(
        """INSERT INTO privacy_requestmessage (created_at, text, asks_for_upload, request_id)
        SELECT received_at + interval '1 day', 'Wij zoeken uw gegevens op.', false, id
        FROM privacy_datasubjectrequest WHERE id >= %s AND state <> 'unconfirmed'""",
        (start,),
    )


def insert_feedback(count: int, *, email: str | None = None) -> None:
    start = _scalar("SELECT coalesce(max(id), 0) FROM satisfaction_feedback") + 1
    address = "%s" if email else "CASE WHEN i % 3 = 0 THEN 'klant' || i || '@voorbeeld.example' ELSE '' END"
    _sql(
        f"""INSERT INTO satisfaction_feedback (score, comment, name, email, wants_contact, language, submitted_at,
                                               follow_up, follow_up_changed_at)
        SELECT 1 + (i * 7) % 5, CASE WHEN i % 2 = 0 THEN 'Snel geholpen, dank u wel (' || i || ').' ELSE '' END,
               CASE WHEN i % 3 = 0 THEN 'Klant ' || i ELSE '' END, {address},
               {"i % 9 = 0" if email else "i % 3 = 0 AND i % 9 = 0"},
               CASE WHEN i % 4 = 0 THEN 'en' ELSE 'nl' END, now() - (i % 20000) * interval '43 minutes',
               (ARRAY['new','contacted','closed'])[1 + i % 3],
               CASE WHEN i % 3 = 0 THEN NULL ELSE now() - (i % 20000) * interval '40 minutes' END
        FROM generate_series(%s, %s) AS i""",
        (*((email,) if email else ()), start, start + count - 1),
    )


def insert_outbox(count: int, *, email: str | None = None) -> None:
    start = _scalar("SELECT coalesce(max(id), 0) FROM isimedia_outboxmessage") + 1
    address = "%s" if email else "'ontvanger' || i || '@voorbeeld' || (i % 983) || '.example'"
    _sql(
        f"""
        WITH s AS (
            SELECT i, CASE WHEN i % 50 = 0 THEN 'failed' WHEN i % 50 = 1 THEN 'pending' ELSE 'sent' END AS status,
                   now() - (i % 20000) * interval '29 minutes' AS created
            FROM generate_series(%s, %s) AS i
        )
        INSERT INTO isimedia_outboxmessage (created_at, template, language, "to", reply_to, subject, body_text,
            body_html, status, attempts, next_attempt_at, last_attempt_at, last_error, sent_at, pending_since,
            queued_at, sensitive)
        SELECT created, (ARRAY['ntd_received','ntd_forwarded','privacy_confirm','satisfaction_thanks'])[1 + i % 4],
               CASE WHEN i % 4 = 0 THEN 'en' ELSE 'nl' END, {address}, '',
               'Uw melding is ontvangen (' || i || ')',
               'Beste lezer,' || chr(10) || chr(10) || 'Wij hebben uw bericht ontvangen en nemen het in behandeling.',
               '<p>Beste lezer,</p><p>Wij hebben uw bericht ontvangen en nemen het in behandeling.</p>',
               status, CASE WHEN status = 'pending' THEN 0 ELSE 1 END, created,
               CASE WHEN status = 'pending' THEN NULL ELSE created + interval '2 seconds' END,
               CASE WHEN status = 'failed' THEN 'SMTP 550 mailbox unavailable' ELSE '' END,
               CASE WHEN status = 'sent' THEN created + interval '2 seconds' END, created, created, i % 4 = 2
        FROM s
        """,
        (start, start + count - 1, *((email,) if email else ())),
    )


def add_urls_and_events(*, email: str) -> None:
    """One URL and two steps for each notice of ``email`` (what the person's package lists under each)."""
    _sql(
        """INSERT INTO ntd_noticeurl (url, host, notice_id, website_id)
        SELECT 'https://www.site' || (id % 600) || '.example/foto/' || id, 'www.site' || (id % 600) || '.example',
               id, website_id FROM ntd_notice WHERE lower(complainant_email) = lower(%s)""",
        (email,),
    )
    _sql(
        """INSERT INTO ntd_noticeevent (at, actor, from_state, to_state, transition, note, notice_id)
        SELECT received_at, 'complainant', '', 'received', 'submit', '', id
        FROM ntd_notice WHERE lower(complainant_email) = lower(%s)
        UNION ALL
        SELECT received_at + interval '2 hours', 'staff', 'received', state, 'forward', 'Doorgestuurd', id
        FROM ntd_notice WHERE lower(complainant_email) = lower(%s) AND state <> 'received'""",
        (email, email),
    )


class indexes_dropped:
    """Drop a table's secondary indexes, unique and foreign-key constraints for a bulk insert, and build them again
    afterwards: one sorted build each instead of a million random B-tree inserts and foreign-key checks."""

    def __init__(self, table: str):
        self.table = table

    def __enter__(self):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('u', 'f')",
                (self.table,),
            )
            self.constraints = cursor.fetchall()
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
                "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
                (self.table, self.table),
            )
            self.indexes = cursor.fetchall()
            for name, _definition in self.constraints:
                cursor.execute(f'ALTER TABLE {self.table} DROP CONSTRAINT "{name}"')
            for name, _definition in self.indexes:
                cursor.execute(f'DROP INDEX "{name}"')
        return self

    def __exit__(self, *exc):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '256MB'")
            for _name, definition in self.indexes:
                cursor.execute(definition)
            for name, definition in self.constraints:
                cursor.execute(f'ALTER TABLE {self.table} ADD CONSTRAINT "{name}" {definition}')
        return False


def analyze() -> None:
    _sql("ANALYZE")


# --- 1. the deadline sweep -------------------------------------------------------------------------------------


def sweep_moment():
    """Now, or the same time on the next working day: the sweep reminds of overdue assessments on working days only,
    and the run should measure that part too whatever day it is."""
    from datetime import timedelta

    from django.utils import timezone

    from isimedia.workdays import is_working_day, next_working_day

    now = timezone.now()
    today = timezone.localdate(now)
    return now if is_working_day(today) else now + timedelta(days=(next_working_day(today) - today).days)


def _due_ids(now) -> list[int]:
    from ntd.models import Notice

    return list(Notice.objects.filter(state="awaiting_customer", next_deadline__lte=now).values_list("pk", flat=True))


def _reset_due(ids: list[int]) -> None:
    """Put the moved cases back: waiting for the client, past its deadline."""
    _sql(
        """UPDATE ntd_notice SET state = 'awaiting_customer', next_deadline = customer_deadline,
               assessment_started_at = NULL, assessment_deadline = NULL
           WHERE id = ANY(%s)""",
        (ids,),
    )


def sweep_once(now) -> tuple[float, int, dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ntd.services import enforce_deadlines

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = enforce_deadlines(now=now)  # what the task ntd.enforce_deadlines runs, in this process
        elapsed = time.perf_counter() - started
    return elapsed, len(queries), result


def open_count() -> int:
    return _scalar("SELECT count(*) FROM ntd_notice WHERE state IN ('received','awaiting_customer','under_assessment')")


# --- 2. admin changelists --------------------------------------------------------------------------------------

CHANGELISTS = [
    ("NTD complaints", "admin:ntd_notice_changelist", ""),
    ("NTD complaints, open", "admin:ntd_notice_changelist", "?state=open"),
    ("NTD complaints, overdue", "admin:ntd_notice_changelist", "?state=open&overdue=yes"),
    ("privacy requests", "admin:privacy_datasubjectrequest_changelist", ""),
    ("privacy requests, open", "admin:privacy_datasubjectrequest_changelist", "?state=open"),
    ("satisfaction feedback", "admin:satisfaction_feedback_changelist", ""),
    ("satisfaction feedback, needs attention", "admin:satisfaction_feedback_changelist", "?attention=open"),
    ("outbox", "admin:isimedia_outboxmessage_changelist", ""),
    ("outbox, failed", "admin:isimedia_outboxmessage_changelist", "?status__exact=failed"),
]


def staff_client():
    """The test client signed in as a superuser with a verified second factor (as isimedia/tests/staff.py does)."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from isimedia.models import User

    user = User.objects.get(email="bench-admin@isimedia.example")
    device = TOTPDevice.objects.filter(user=user).first() or TOTPDevice.objects.create(
        user=user, name="Authenticator app", confirmed=True
    )
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def changelist_queries(client, name: str, query: str) -> tuple[int, float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(reverse(name) + query)
        elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"{name}{query} answered {response.status_code}")
    return len(queries), elapsed


def changelist_median(client, name: str, query: str, times: int = LIST_REQUESTS) -> float:
    changelist_queries(client, name, query)  # warm: templates, caches, connection
    return statistics.median(changelist_queries(client, name, query)[1] for _ in range(times))


# --- 3. the data package ---------------------------------------------------------------------------------------


def package_person(email: str, rows: int) -> object:
    """``rows`` records about one address, a quarter each: complaints, e-mails, feedback and privacy requests."""
    from django.utils import timezone

    from privacy.models import DataSubjectRequest

    quarter = rows // 4
    insert_notices(quarter, "mixed", email=email)
    add_urls_and_events(email=email)
    insert_outbox(quarter, email=email)
    insert_feedback(quarter, email=email)
    insert_requests(quarter, email=email)
    analyze()
    request = DataSubjectRequest.objects.filter(email=email, state="received").order_by("-id").first()
    request.right = "access"
    request.due_on = timezone.localdate()
    request.save(update_fields=["right", "due_on"])
    return request


def package_measure(request) -> tuple[float, int, int]:
    """(seconds, peak traced bytes, package size) of writing the package to a file, as the service does."""
    from privacy import package

    started = time.perf_counter()
    size = len(package.build_package(request))
    elapsed = time.perf_counter() - started
    with tempfile.TemporaryFile() as out:
        tracemalloc.start()
        if hasattr(package, "write_package"):
            package.write_package(request, out)
        else:
            out.write(package.build_package(request))
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return elapsed, peak, size


# --- the run ---------------------------------------------------------------------------------------------------


def log(text: str) -> None:
    print(f"[data_scale {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def run(keep: bool) -> list[dict]:
    import django

    _admin_database(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    _admin_database(f"CREATE DATABASE {DB_NAME}")
    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    try:
        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        insert_base()
        return measure(staff_client(), sweep_moment())
    finally:
        connection.close()
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
        if not keep:
            _admin_database(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


def measure(client, now) -> list[dict]:
    from django.utils import timezone

    rows = []
    # Changelists at 100 rows each.
    insert_notices(SMALL_LIST_ROWS, "mixed")
    insert_requests(SMALL_LIST_ROWS)
    insert_feedback(SMALL_LIST_ROWS)
    insert_outbox(SMALL_LIST_ROWS)
    analyze()
    changelist_queries(client, *CHANGELISTS[0][1:])  # first request of the process: sessions, URLconf, templates
    small_queries = {label: changelist_queries(client, name, query)[0] for label, name, query in CHANGELISTS}

    # The sweep at ~1,000 open cases: 100 due, 50 overdue assessments already in today's reminder.
    insert_overdue_reminded(50, today=timezone.localdate(now))
    insert_notices(SMALL_OPEN_CASES - DUE - open_count(), "open")
    insert_notices(DUE, "due")
    analyze()
    due = _due_ids(now)
    small_open = open_count()
    sweep_once(now)  # first run of the process: imports, URLconf, holidays
    _reset_due(due)
    _t, small_sweep_queries, small_result = sweep_once(now)
    log(f"sweep at {small_open} open: {small_sweep_queries} queries, {small_result}")

    # Changelists at 100,000 rows each.
    started = time.perf_counter()
    insert_notices(LIST_ROWS - _scalar("SELECT count(*) FROM ntd_notice"), "mixed")
    insert_requests(LIST_ROWS - SMALL_LIST_ROWS)
    insert_feedback(LIST_ROWS - SMALL_LIST_ROWS)
    insert_outbox(LIST_ROWS - SMALL_LIST_ROWS)
    analyze()
    log(f"100,000 rows each in {time.perf_counter() - started:.1f} s")
    for label, name, query in CHANGELISTS:
        large_queries = changelist_queries(client, name, query)[0]
        median = changelist_median(client, name, query)
        same = large_queries == small_queries[label]
        rows.append(
            row(
                f"admin changelist: {label} ({LIST_ROWS:,} rows)",
                f"median {ms(median)}; {large_queries} queries (at {SMALL_LIST_ROWS}: {small_queries[label]})",
                "median < 300 ms; same queries at 100 and 100,000 rows",
                median < 0.3 and same,
                f"Django test client in-process, superuser with a verified second factor, production settings; "
                f"median of {LIST_REQUESTS} GET {query or '(default view)'}",
            )
        )
        log(rows[-1]["what"] + ": " + rows[-1]["measured"])

    # The sweep at 1,000,000 open cases, 100 due.
    started = time.perf_counter()
    with indexes_dropped("ntd_notice"):
        insert_notices(OPEN_CASES - open_count(), "open")
    analyze()
    log(f"{OPEN_CASES:,} open cases in {time.perf_counter() - started:.1f} s")
    large_open = open_count()
    runs = []
    for _ in range(3):
        _reset_due(due)
        runs.append(sweep_once(now))
    seconds = statistics.median(run[0] for run in runs)
    large_queries = runs[0][1]
    moved = runs[0][2]["moved_to_assessment"]
    rows.append(
        row(
            f"deadline sweep, {large_open:,} open cases, {DUE} due",
            f"{ms(seconds)}; {large_queries} queries (at {small_open:,} open: {small_sweep_queries})",
            "< 1 s; queries not growing with the open cases",
            seconds < 1 and large_queries == small_sweep_queries and moved == DUE,
            f"ntd.services.enforce_deadlines (the task ntd.enforce_deadlines) in-process, median of 3 "
            f"({', '.join(ms(run[0]) for run in runs)}); moved {moved} to assessment, each with its event, audit "
            f"entry and e-mails (the complainant and 3 handlers)",
        )
    )
    log(rows[-1]["what"] + ": " + rows[-1]["measured"])
    idle = [sweep_once(now) for _ in range(7)]
    seconds = statistics.median(run[0] for run in idle)
    rows.append(
        row(
            f"deadline sweep, {large_open:,} open cases, none due",
            f"{ms(seconds)}; {idle[0][1]} queries",
            "< 50 ms",
            seconds < 0.05 and idle[0][2] == {"moved_to_assessment": 0, "reminded": 0},
            f"median of 7 runs, on a working day ({now:%Y-%m-%d}): overdue assessments are looked for too "
            f"(50 overdue, already in today's reminder)",
        )
    )
    log(rows[-1]["what"] + ": " + rows[-1]["measured"])

    # The data package: 1,000 and 10,000 rows about one address, among everything above.
    small_request = package_person(SMALL_PERSON, SMALL_PACKAGE_ROWS)
    large_request = package_person(PERSON, PACKAGE_ROWS)
    package_measure(small_request)  # first run of the process: templates, translations
    small_seconds, small_peak, small_size = package_measure(small_request)
    large_seconds, large_peak, large_size = package_measure(large_request)
    growth = large_peak / small_peak
    rows.append(
        row(
            f"data package, {PACKAGE_ROWS:,} rows about one person",
            f"{large_seconds:.2f} s; peak memory {large_peak / 2**20:.1f} MiB "
            f"(at {SMALL_PACKAGE_ROWS:,} rows: {small_peak / 2**20:.1f} MiB, x{growth:.1f} for x10 rows)",
            "< 5 s; memory not growing with the rows",
            large_seconds < 5 and growth < 2,
            f"complaints (with URLs and steps), e-mails, feedback, privacy requests: a quarter each, among "
            f"{OPEN_CASES:,}+ notices; zip {large_size / 2**20:.1f} MiB (at {SMALL_PACKAGE_ROWS:,}: "
            f"{small_size / 2**10:.0f} KiB); peak by tracemalloc while writing the zip to a file; "
            f"{small_seconds:.2f} s at {SMALL_PACKAGE_ROWS:,} rows",
        )
    )
    log(rows[-1]["what"] + ": " + rows[-1]["measured"])
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", required=True, help="where to write the result rows (a JSON list)")
    parser.add_argument("--keep", action="store_true", help=f"keep the database {DB_NAME} afterwards")
    args = parser.parse_args()
    _environment()
    started = time.perf_counter()
    rows = run(args.keep)
    print(f"[data_scale] done in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    Path(args.json).write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
    for item in rows:
        print(f"{'ok ' if item['met'] else 'MISS'} {item['what']}: {item['measured']} (target {item['target']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
