"""Applying every app's retention rules (``privacy.registry``), as the beat task ``privacy.apply_retention`` does.

Each rule runs in its own transaction under a PostgreSQL advisory lock named after the rule, so two runs at once
never apply the same rule together: the second skips it (the first is doing the work). A rule changes only what no
earlier run handled (rows are deleted, or marked: ``anonymised_at``, ``deleted_at``, the anonymised address), so a
second run finds nothing. Each rule that removed something leaves a RetentionRecord in the run.
"""

import logging
import zlib
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation

from . import registry
from .models import RetentionRecord, RetentionRun

logger = logging.getLogger(__name__)

# The first key of the two-part advisory lock: this module's locks, whatever the other part.
LOCK_NAMESPACE = 0x52455445  # "RETE"


def _lock_key(rule_key: str) -> int:
    """A stable signed 32-bit number for a rule's name."""
    value = zlib.crc32(rule_key.encode("utf-8"))
    return value - (1 << 32) if value >= (1 << 31) else value


def try_lock(rule_key: str) -> bool:
    """Take the rule's lock until the end of the current transaction; False when another run holds it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, _lock_key(rule_key)])
        return bool(cursor.fetchone()[0])


def retention_apply(now: datetime | None = None) -> RetentionRun:
    """Run every retention rule once; returns the run with a record per rule that removed something.

    A rule that fails is logged and does not stop the others; the error is raised after the run is finished.
    """
    now = now or timezone.now()
    run = RetentionRun.objects.create(started_at=timezone.now())
    failures = []
    # Records are read by staff in the admin: written in the site's language, whoever started the run.
    with translation.override(settings.LANGUAGE_CODE):
        for rule in registry.retention_rules():
            try:
                with transaction.atomic():
                    if not try_lock(rule.key):
                        logger.info("Retention rule %s is being applied by another run; skipped.", rule.key)
                        continue
                    count = rule.apply(now)
                    if count:
                        RetentionRecord.objects.create(
                            run=run, rule=rule.key[:100], description=rule.describe()[:300], count=count
                        )
                        logger.info("Retention rule %s removed or anonymised %s records.", rule.key, count)
            except Exception as error:  # one broken rule must not keep the others from running
                logger.exception("Retention rule %s failed.", rule.key)
                failures.append(error)
    run.finished_at = timezone.now()
    run.save(update_fields=["finished_at"])
    if failures:
        raise failures[0]
    return run
