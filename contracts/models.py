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
