"""Reads for signing the DPA: what a client has signed and may sign, who may download a signed PDF, and what an
uploaded PDF proves."""

import hashlib
import logging
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef
from django.urls import reverse

from isimedia.twofactor import is_verified_staff

from .. import sealing
from ..models import Acceptance, Client, ClientContact, DocumentKind, DocumentVersion
from .documents import version_in_force, version_scheduled

logger = logging.getLogger(__name__)


def dpa_signable_versions() -> list[DocumentVersion]:
    """The DPA versions that can be signed today: the one in force and the one scheduled next, in that order."""
    return [v for v in (version_in_force(DocumentKind.DPA), version_scheduled(DocumentKind.DPA)) if v is not None]


@dataclass
class DpaStatus:
    """A client's DPA, as its account page shows it.

    ``state`` is one of: ``no_dpa`` (nothing published to sign), ``not_signed``, ``signed`` (the newest version that
    can be signed is signed) or ``review`` (an earlier version is signed and a newer one waits: ``changes_url`` shows
    what changed).
    """

    in_force: DocumentVersion | None
    scheduled: DocumentVersion | None
    acceptances: list[Acceptance] = field(default_factory=list)

    def acceptance_of(self, version: DocumentVersion | None) -> Acceptance | None:
        if version is None:
            return None
        return next((a for a in self.acceptances if a.version_id == version.pk), None)

    @property
    def signable(self) -> list[DocumentVersion]:
        return [v for v in (self.in_force, self.scheduled) if v is not None]

    @property
    def to_sign(self) -> list[DocumentVersion]:
        """The versions the client can still sign, the one in force first."""
        return [v for v in self.signable if self.acceptance_of(v) is None]

    @property
    def signed(self) -> Acceptance | None:
        """The acceptance of the newest version that can be signed today, or None."""
        for version in reversed(self.signable):
            acceptance = self.acceptance_of(version)
            if acceptance is not None:
                return acceptance
        return None

    @property
    def latest(self) -> Acceptance | None:
        """The acceptance of the newest version the client signed."""
        return max(self.acceptances, key=lambda a: _version_order(a.version), default=None)

    @property
    def newer(self) -> DocumentVersion | None:
        """A version newer than everything the client signed, waiting for its review and signature; the one in force
        comes first, so a client behind by two versions reviews the one that applies now."""
        if self.latest is None:
            return None
        newest_signed = _version_order(self.latest.version)
        waiting = [v for v in self.to_sign if _version_order(v) > newest_signed]
        return waiting[0] if waiting else None

    @property
    def state(self) -> str:
        if not self.signable:
            return "no_dpa"
        if self.newer is not None:
            return "review"
        if self.signed is not None:
            return "signed"
        return "not_signed"

    @property
    def changes_from(self) -> Acceptance | None:
        """For ``review``: the acceptance whose version the changes are shown from."""
        return self.latest if self.newer is not None else None

    @property
    def changes_url(self) -> str:
        if self.newer is None:
            return ""
        query = urlencode({"van": self.latest.version_label, "naar": self.newer.label})
        return f"{reverse('documents:dpa_changes')}?{query}"


def _version_order(version: DocumentVersion) -> tuple:
    return (version.effective_on, version.published_at, version.pk)


def dpa_status_for_client(client: Client) -> DpaStatus:
    """The DPA state of a client: what is in force or scheduled and what the client signed; three queries."""
    return DpaStatus(
        in_force=version_in_force(DocumentKind.DPA),
        scheduled=version_scheduled(DocumentKind.DPA),
        acceptances=list(
            Acceptance.objects.filter(client=client).select_related("version").order_by("-accepted_at", "-id")
        ),
    )


def acceptance_for_download(*, user: AbstractBaseUser | AnonymousUser, acceptance_id: int) -> Acceptance | None:
    """The acceptance whose signed PDF ``user`` may download: an active contact of its client, or staff allowed to
    view signatures. None otherwise, so the view answers 404 and reveals nothing."""
    if not user.is_authenticated or not user.is_active:
        return None
    # One query: the download is asked for as often as a static file, and each round trip to the database counts.
    acceptance = (
        Acceptance.objects.filter(pk=acceptance_id)
        .annotate(by_contact=Exists(ClientContact.objects.filter(user=user, client_id=OuterRef("client_id"))))
        .first()
    )
    if acceptance is None:
        return None
    if acceptance.by_contact or (is_verified_staff(user) and user.has_perm("contracts.view_acceptance")):
        return acceptance
    return None


# --- Verification ---------------------------------------------------------------------------------------------------


class Verdict:
    VALID = "valid"  # sealed by ISI Media, unchanged
    VALID_WITH_ADDITIONS = "valid_with_additions"  # the sealed part is intact; something was added afterwards
    INVALID = "invalid"  # the seal does not hold: the file was changed
    NOT_ISIMEDIA = "not_isimedia"  # signed, but not with ISI Media's certificate
    UNSIGNED = "unsigned"  # a PDF without any signature
    UNREADABLE = "unreadable"  # not a PDF we can read


@dataclass
class Verification:
    verdict: str
    check: sealing.PdfCheck
    acceptance: Acceptance | None = None
    # The uploaded file is byte for byte the signed PDF ISI Media made.
    exact_copy: bool = False

    @property
    def seal(self) -> sealing.SealCheck | None:
        return self.check.seal


def dpa_verify(data: bytes) -> Verification:
    """What an uploaded PDF proves: is ISI Media's seal intact, and which signature record does it belong to.

    The strongest link is the SHA-256 of the whole file: it is stored with each signed PDF we made. A file with
    additions after the seal (another signature, a note) is linked through the acceptance number in the seal's
    reason, and only when its first bytes are exactly the signed PDF we made.
    """
    check = sealing.check_pdf(data)
    acceptance = (
        Acceptance.objects.select_related("version")
        .filter(signed_pdf_sha256=check.sha256)
        .exclude(signed_pdf="")
        .first()
    )
    exact_copy = acceptance is not None
    seal = check.seal
    if not check.readable:
        verdict = Verdict.UNREADABLE
    elif seal is None:
        verdict = Verdict.UNSIGNED
    elif not seal.intact:
        verdict = Verdict.INVALID
    elif not seal.by_isimedia or not seal.trusted:
        verdict = Verdict.NOT_ISIMEDIA
    elif not seal.changes_allowed:
        verdict = Verdict.INVALID
    elif seal.covers_whole_file:
        verdict = Verdict.VALID
    else:
        verdict = Verdict.VALID_WITH_ADDITIONS
    if acceptance is None and verdict in (Verdict.VALID, Verdict.VALID_WITH_ADDITIONS) and seal.acceptance_id:
        acceptance = _acceptance_as_prefix(data, seal.acceptance_id)
    if exact_copy and verdict != Verdict.VALID:
        # Our own file, unchanged, that no longer verifies: the certificate configuration changed. Say so in the log;
        # the page still shows what the seal says.
        logger.warning("Signed PDF of acceptance %s does not verify (%s).", acceptance.pk, verdict)
    return Verification(verdict=verdict, check=check, acceptance=acceptance, exact_copy=exact_copy)


def _acceptance_as_prefix(data: bytes, acceptance_id: int) -> Acceptance | None:
    """The acceptance named in the seal, if ``data`` starts with exactly the signed PDF made for it."""
    acceptance = Acceptance.objects.select_related("version").filter(pk=acceptance_id).exclude(signed_pdf="").first()
    if acceptance is None:
        return None
    try:
        size = acceptance.signed_pdf.size
    except OSError:
        return None
    if len(data) < size or hashlib.sha256(data[:size]).hexdigest() != acceptance.signed_pdf_sha256:
        return None
    return acceptance
