"""The client registry: companies we host for, their websites, and the people who log in for them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .hosts import MAX_HOST_LENGTH, display_host, normalise_host

KVK_NUMBER_REGEX = r"^[0-9]{8}$"
validate_kvk_number = RegexValidator(KVK_NUMBER_REGEX, _("A KvK number has exactly 8 digits."), code="invalid_kvk")


class Client(models.Model):
    """A company that hosts one or more websites with us."""

    class Language(models.TextChoices):
        DUTCH = "nl", "Nederlands"
        ENGLISH = "en", "English"

    name = models.CharField(_("company name"), max_length=200)
    kvk_number = models.CharField(
        _("KvK number"),
        max_length=8,
        unique=True,
        validators=[validate_kvk_number],
        help_text=_("The 8-digit number in the Dutch Chamber of Commerce register."),
    )
    contact_email = models.EmailField(_("contact e-mail address"))
    language = models.CharField(_("preferred language"), max_length=2, choices=Language.choices, default=Language.DUTCH)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kvk_number__regex=KVK_NUMBER_REGEX), name="client_kvk_8_digits"),
        ]

    def __str__(self):
        return f"{self.name} ({self.kvk_number})"


class Website(models.Model):
    """A host name of a client's website; requests for its subdomains belong to the same client."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="websites", verbose_name=_("client"))
    host = models.CharField(
        _("host name"),
        max_length=MAX_HOST_LENGTH,
        unique=True,
        help_text=_("For example example.nl; www. and the rest of a web address are removed."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("website")
        verbose_name_plural = _("websites")
        ordering = ["host"]
        constraints = [
            # Lookups compare exact strings, so a host stored in any other form would never be found.
            models.CheckConstraint(
                condition=models.Q(host=Lower("host")) & ~models.Q(host="") & ~models.Q(host__endswith="."),
                name="website_host_normalised",
            ),
        ]

    def __str__(self):
        return self.host

    def clean(self):
        try:
            self.host = normalise_host(self.host)
        except ValidationError as error:
            raise ValidationError({"host": error.messages}) from error

    @property
    def display_host(self) -> str:
        return display_host(self.host)


class ClientContact(models.Model):
    """A person who logs in to the portal on behalf of one client."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="client_contact",
        verbose_name=_("user account"),
    )
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("client"))
    name = models.CharField(_("name"), max_length=200)
    phone = models.CharField(_("phone number"), max_length=30, blank=True)
    invited_at = models.DateTimeField(_("last invited"), null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last invited by"),
    )

    class Meta:
        verbose_name = _("client contact")
        verbose_name_plural = _("client contacts")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


# --- Terms and the data processing agreement -------------------------------------------------------------------


class DocumentKind(models.TextChoices):
    TERMS = "terms", _("general terms")
    DPA = "dpa", _("data processing agreement")


class DocumentVersion(models.Model):
    """One version of the general terms or the DPA.

    A draft can be edited; once published (``published_at`` set) its text, dates and label can never change: the
    database refuses it (trigger in migration 0003), so neither the admin nor any code can alter what clients saw.
    Only the PDF, rendered once after publication, may be added later. A correction is a new version.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SCHEDULED = "scheduled", _("published, scheduled")
        IN_FORCE = "in_force", _("published, in force")
        SUPERSEDED = "superseded", _("superseded")

    kind = models.CharField(_("document"), max_length=8, choices=DocumentKind.choices)
    label = models.CharField(
        _("version label"), max_length=20, help_text=_("For example 2026-03; it appears in the permanent address.")
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text (Markdown)"))
    summary = models.TextField(_("summary of changes"), blank=True)
    effective_on = models.DateField(_("takes effect on"))
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    short_notice_reason = models.TextField(_("reason for a short notice"), blank=True, editable=False)
    text_sha256 = models.CharField(_("SHA-256 of the text"), max_length=64, blank=True, editable=False)
    pdf = models.FileField(_("PDF"), upload_to="contracts/versions/", blank=True, editable=False)
    pdf_sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["kind", "-effective_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "label"], name="documentversion_kind_label_unique"),
            models.CheckConstraint(
                condition=models.Q(published_at__isnull=True) | ~models.Q(text_sha256=""),
                name="documentversion_published_has_hash",
            ),
        ]
        indexes = [models.Index(fields=["kind", "effective_on"], name="documentversion_kind_effective")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.label}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class Acceptance(models.Model):
    """A client's signature of one DPA version, with its evidence. Append-only: the database refuses changes."""

    version = models.ForeignKey(DocumentVersion, on_delete=models.PROTECT, related_name="acceptances")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="acceptances", verbose_name=_("client"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signer_name = models.CharField(_("full name"), max_length=200)
    signer_title = models.CharField(_("job title"), max_length=200)
    company_name = models.CharField(_("company"), max_length=200)
    kvk_number = models.CharField(_("KvK number"), max_length=8)
    version_label = models.CharField(_("version"), max_length=20)
    text_sha256 = models.CharField(_("SHA-256 of the text"), max_length=64)
    statement = models.TextField(_("wording of the declaration"))
    accepted_at = models.DateTimeField(_("signed at"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.TextField(_("browser"), blank=True)
    evidence_sha256 = models.CharField(_("SHA-256 of the evidence"), max_length=64)
    signed_pdf = models.FileField(_("signed PDF"), upload_to="contracts/signed/", blank=True)
    signed_pdf_sha256 = models.CharField(_("SHA-256 of the signed PDF"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("DPA signature")
        verbose_name_plural = _("DPA signatures")
        ordering = ["-accepted_at", "-id"]
        constraints = [
            # The service refuses a second signature under a lock; the database makes it impossible.
            models.UniqueConstraint(fields=["client", "version"], name="acceptance_once_per_client_version"),
        ]

    def __str__(self):
        return f"{self.company_name}: {self.version_label} ({self.accepted_at:%Y-%m-%d})"


class Objection(models.Model):
    """A client's objection to a scheduled version, made before it takes effect, and how staff settled it."""

    version = models.ForeignKey(DocumentVersion, on_delete=models.PROTECT, related_name="objections")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="objections", verbose_name=_("client"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("objection"))
    created_at = models.DateTimeField(_("made"), default=timezone.now)
    settled_at = models.DateTimeField(_("settled"), null=True, blank=True)
    settlement = models.TextField(_("how it was settled"), blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "version"],
                condition=models.Q(settled_at__isnull=True),
                name="objection_one_open_per_client_version",
            ),
        ]

    def __str__(self):
        return f"{self.client} / {self.version}"
