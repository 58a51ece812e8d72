"""GDPR data-subject requests, the files and data packages that go with them, retention records and breaches."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Right(models.TextChoices):
    """The rights a data subject may exercise (GDPR art. 15-21 and 7(3))."""

    ACCESS = "access", _("access")
    RECTIFICATION = "rectification", _("rectification")
    ERASURE = "erasure", _("erasure")
    RESTRICTION = "restriction", _("restriction of processing")
    PORTABILITY = "portability", _("data portability")
    OBJECTION = "objection", _("objection")
    WITHDRAWAL = "withdrawal", _("withdrawal of consent")


# Rights fulfilled by handing over a data package, and rights fulfilled by erasing or anonymising data.
PACKAGE_RIGHTS = (Right.ACCESS, Right.PORTABILITY)
ERASURE_RIGHTS = (Right.ERASURE, Right.OBJECTION, Right.WITHDRAWAL)


class Relation(models.TextChoices):
    """How the requester relates to ISI Media; decides whether ISI Media is the controller or a processor."""

    CLIENT = "client", _("I am a client of ISI Media, or a contact person of a client")
    VISITOR = "visitor", _("I visited ISI Media's own website or used this portal")
    HOSTED_SITE = "hosted_site", _("My data is on a website that ISI Media hosts for one of its clients")


class Channel(models.TextChoices):
    WEB = "web", _("web form")
    EMAIL = "email", _("e-mail")
    PHONE = "phone", _("phone")
    LETTER = "letter", _("letter")


class State(models.TextChoices):
    UNCONFIRMED = "unconfirmed", _("waiting for e-mail confirmation")
    RECEIVED = "received", _("being handled")
    AWAITING_IDENTITY = "awaiting_identity", _("waiting for proof of identity")
    AWAITING_APPROVAL = "awaiting_approval", _("waiting for a second privacy officer")
    COMPLETED = "completed", _("completed")
    REFUSED = "refused", _("refused")
    FORWARDED = "forwarded", _("forwarded to the controller")


OPEN_STATES = (State.RECEIVED, State.AWAITING_IDENTITY, State.AWAITING_APPROVAL)
CLOSED_STATES = (State.COMPLETED, State.REFUSED, State.FORWARDED)


class ReferenceCounter(models.Model):
    """The last number handed out per series and year, so references are consecutive: AVG-2026-00007, DL-2026-00001."""

    series = models.CharField(max_length=8)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("reference counter")
        constraints = [models.UniqueConstraint(fields=["series", "year"], name="privacy_counter_series_year")]

    def __str__(self):
        return f"{self.series}-{self.year}: {self.last}"


class DataSubjectRequest(models.Model):
    """One request of a data subject, from submission to the reply."""

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    right = models.CharField(_("right"), max_length=16, choices=Right.choices)
    relation = models.CharField(_("relation to ISI Media"), max_length=16, choices=Relation.choices)
    hosted_url = models.URLField(_("website concerned"), max_length=2000, blank=True)
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"))
    description = models.TextField(_("what the request is about"))
    language = models.CharField(_("language of the requester"), max_length=8, choices=settings.LANGUAGES)
    channel = models.CharField(_("received by"), max_length=8, choices=Channel.choices, default=Channel.WEB)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )

    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.UNCONFIRMED)
    # The legal period runs from receipt, not from confirmation (GDPR art. 12(3)).
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    confirmed_at = models.DateTimeField(_("e-mail address confirmed"), null=True, blank=True)
    confirm_expires_at = models.DateTimeField(_("confirmation link expires"), null=True, blank=True)

    # Deadline: isimedia.workdays.gdpr_due_date(received_at, extension_months, paused_days); kept for sorting.
    due_on = models.DateField(_("due"), null=True, blank=True, db_index=True)
    extension_months = models.PositiveSmallIntegerField(_("extended by (months)"), default=0)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    extended_at = models.DateTimeField(_("extended"), null=True, blank=True)
    paused_days = models.PositiveIntegerField(_("days paused"), default=0)
    paused_since = models.DateTimeField(_("paused since"), null=True, blank=True)
    reminded_on = models.DateField(_("last reminder"), null=True, blank=True, editable=False)

    # Identity: the confirmed e-mail address is the normal check; staff record a real doubt before asking more.
    identity_doubt = models.TextField(_("doubt about the identity"), blank=True)
    identity_checked_at = models.DateTimeField(_("identity checked"), null=True, blank=True)
    identity_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("identity checked by"),
    )

    # Erasure, objection, withdrawal: one officer proposes, a second approves.
    erasure_plan = models.JSONField(_("erasure plan"), default=list, blank=True, editable=False)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    proposed_at = models.DateTimeField(_("proposed"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    erasure_result = models.JSONField(_("what was erased and kept"), default=list, blank=True, editable=False)

    # Processor route: the client that controls the data.
    forwarded_to = models.ForeignKey(
        "contracts.Client",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="privacy_requests",
        verbose_name=_("forwarded to"),
    )
    forwarded_at = models.DateTimeField(_("forwarded"), null=True, blank=True)

    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, db_index=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    reply = models.TextField(_("reply to the requester"), blank=True)
    # Set when retention anonymised the request: the record of the request stays, the person's data goes.
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    class Meta:
        verbose_name = _("privacy request")
        verbose_name_plural = _("privacy requests")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["state", "due_on"], name="privacy_req_state_due_idx"),
            models.Index(Lower("email"), name="privacy_req_email_lower_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(extension_months__lte=2), name="privacy_request_extension_at_most_two_months"
            ),
            models.CheckConstraint(
                condition=models.Q(extension_months=0) | ~models.Q(extension_reason=""),
                name="privacy_request_extension_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(relation="hosted_site") | ~models.Q(hosted_url=""),
                name="privacy_request_hosted_site_has_url",
            ),
        ]
        permissions = [
            ("approve_erasure", _("Can approve the erasure of personal data")),
            ("view_identity_document", _("Can see identity documents")),
        ]

    def __str__(self):
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_paused(self) -> bool:
        return self.paused_since is not None


class RequestLink(models.Model):
    """A secret link to the request's own page, one per e-mail that carries one; stored only as a SHA-256 hash.

    The first visit of an unconfirmed request offers the confirmation button (a POST, so that mail scanners that
    open links confirm nothing); later visits show the request. Every e-mail gets its own link, so an older
    e-mail keeps working.
    """

    request = models.ForeignKey(DataSubjectRequest, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("made"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("link to the request")
        verbose_name_plural = _("links to the request")

    def __str__(self):
        return f"{self.request}: {self.created_at:%Y-%m-%d %H:%M}"


class RequestEvent(models.Model):
    """One step of a request: who, when, from which state to which, and a note."""

    class Actor(models.TextChoices):
        REQUESTER = "requester", _("requester")
        STAFF = "staff", _("ISI Media")
        SYSTEM = "system", pgettext_lazy("actor", "system")

    request = models.ForeignKey(DataSubjectRequest, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.CharField(_("by"), max_length=12, choices=Actor.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_state = models.CharField(_("from"), max_length=20, choices=State.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=20, choices=State.choices, blank=True)
    transition = models.CharField(_("step"), max_length=32, blank=True, db_index=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.request_id}: {self.transition or self.to_state}"


class RequestMessage(models.Model):
    """A message from staff to the requester, shown on the follow page and announced by e-mail."""

    request = models.ForeignKey(DataSubjectRequest, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    text = models.TextField(_("message"))
    asks_for_upload = models.BooleanField(_("asks for a file"), default=False)

    class Meta:
        verbose_name = _("message to the requester")
        verbose_name_plural = _("messages to the requester")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.text[:60]


class RequesterFile(models.Model):
    """A file the requester uploaded (an identity copy or what staff asked for), encrypted at rest.

    When the file is deleted the row stays, with ``deleted_at``: the record keeps the fact, not the copy.
    """

    class Kind(models.TextChoices):
        IDENTITY = "identity", _("copy of an identity document")
        OTHER = "other", _("other document")

    request = models.ForeignKey(DataSubjectRequest, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # Path in the default storage of the Fernet-encrypted content; empty once deleted.
    encrypted_path = models.CharField(max_length=255, blank=True, editable=False)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)
    deletion_reason = models.CharField(_("why deleted"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("file from the requester")
        verbose_name_plural = _("files from the requester")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name


class DataPackage(models.Model):
    """The zip of everything the portal holds about a requester, behind an expiring single-use link."""

    request = models.ForeignKey(DataSubjectRequest, on_delete=models.CASCADE, related_name="packages")
    created_at = models.DateTimeField(_("made"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    # Path in the default storage of the Fernet-encrypted zip; empty once downloaded, expired or deleted.
    encrypted_path = models.CharField(max_length=255, blank=True, editable=False)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    sha256 = models.CharField(_("SHA-256 of the zip"), max_length=64, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("link expires"))
    downloaded_at = models.DateTimeField(_("downloaded"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)

    class Meta:
        verbose_name = _("data package")
        verbose_name_plural = _("data packages")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.request}: {self.created_at:%Y-%m-%d %H:%M}"


class RetentionRun(models.Model):
    """One run of the retention task; its records say what each rule removed."""

    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"{self.started_at:%Y-%m-%d %H:%M}"


class RetentionRecord(models.Model):
    """What one retention rule removed or anonymised in one run; a run that removed nothing writes no record."""

    run = models.ForeignKey(RetentionRun, on_delete=models.CASCADE, related_name="records")
    rule = models.CharField(_("rule"), max_length=100)
    description = models.CharField(_("what the rule does"), max_length=300)
    count = models.PositiveIntegerField(_("number of records"))

    class Meta:
        verbose_name = _("retention record")
        verbose_name_plural = _("retention records")
        ordering = ["run", "rule"]

    def __str__(self):
        return f"{self.rule}: {self.count}"


class Breach(models.Model):
    """A personal data breach in the register (GDPR art. 33(5)); affected clients are told within 72 hours."""

    class DataCategory(models.TextChoices):
        CONTACT = "contact", _("contact details (name, e-mail address, phone number)")
        ACCOUNT = "account", _("login details")
        FINANCIAL = "financial", _("financial data")
        WEBSITE_CONTENT = "website_content", _("content of hosted websites")
        WEBSITE_VISITORS = "website_visitors", _("data of visitors of hosted websites")
        SPECIAL = "special", _("special categories (health, religion, ...)")
        IDENTITY = "identity", _("identity documents or BSN")
        OTHER = "other", _("other")

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("short description"), max_length=200)
    discovered_at = models.DateTimeField(_("discovered at"))
    occurred_at = models.DateTimeField(_("happened at (if known)"), null=True, blank=True)
    what_happened = models.TextField(_("what happened"))
    cause = models.TextField(_("cause"))
    consequences = models.TextField(_("consequences"))
    remedy = models.TextField(_("measures taken"))
    data_categories = models.JSONField(_("kinds of personal data"), default=list, blank=True)
    data_subjects_estimate = models.PositiveIntegerField(
        _("number of people affected (estimate)"), null=True, blank=True
    )
    affected_clients = models.ManyToManyField(
        "contracts.Client", blank=True, related_name="breaches", verbose_name=_("affected clients")
    )
    # ISI Media as controller of its own data may have to notify the AP itself.
    authority_notified_at = models.DateTimeField(
        _("reported to the Autoriteit Persoonsgegevens"), null=True, blank=True
    )
    authority_reference = models.CharField(_("AP reference"), max_length=100, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_at = models.DateTimeField(_("registered"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("data breach")
        verbose_name_plural = _("data breach register")
        ordering = ["-discovered_at", "-id"]

    def __str__(self):
        return f"{self.reference}: {self.title}"


class BreachNotification(models.Model):
    """That one affected client was told of a breach, when, and at which addresses."""

    breach = models.ForeignKey(Breach, on_delete=models.CASCADE, related_name="notifications")
    client = models.ForeignKey("contracts.Client", on_delete=models.PROTECT, related_name="+", verbose_name=_("client"))
    notified_at = models.DateTimeField(_("notified"), default=timezone.now)
    notified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    recipients = models.JSONField(_("sent to"), default=list)

    class Meta:
        verbose_name = _("client notification")
        verbose_name_plural = _("client notifications")
        ordering = ["notified_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["breach", "client"], name="privacy_breach_notified_once_per_client"),
        ]

    def __str__(self):
        return f"{self.breach} → {self.client}"
