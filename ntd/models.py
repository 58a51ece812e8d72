"""Notice-and-Take-Down cases: the notice, its URLs and evidence, the client's answer, every event, the decision."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class State(models.TextChoices):
    RECEIVED = "received", _("received")
    REJECTED_INCOMPLETE = "rejected_incomplete", _("rejected: incomplete")
    REJECTED_NOT_HOSTED = "rejected_not_hosted", _("rejected: not hosted by ISI Media")
    AWAITING_CUSTOMER = "awaiting_customer", _("waiting for the client")
    RESOLVED_BY_CUSTOMER = "resolved_by_customer", _("resolved by the client")
    UNDER_ASSESSMENT = "under_assessment", _("being assessed by ISI Media")
    TAKEN_DOWN = "taken_down", _("taken down")
    REJECTED_NOT_UNLAWFUL = "rejected_not_unlawful", _("rejected: not manifestly unlawful")


OPEN_STATES = (State.RECEIVED, State.AWAITING_CUSTOMER, State.UNDER_ASSESSMENT)
REJECTED_STATES = (State.REJECTED_INCOMPLETE, State.REJECTED_NOT_HOSTED, State.REJECTED_NOT_UNLAWFUL)


class Category(models.TextChoices):
    """The kinds of unlawful content, after the categories of the EU DSA transparency database."""

    ANIMAL_WELFARE = "animal_welfare", _("Animal welfare")
    DATA_PROTECTION = "data_protection", _("Data protection and privacy violations")
    ILLEGAL_SPEECH = "illegal_speech", _("Illegal or harmful speech (hate, discrimination, defamation)")
    INTELLECTUAL_PROPERTY = "intellectual_property", _("Intellectual property infringements (copyright, trademark)")
    CIVIC_DISCOURSE = "civic_discourse", _("Negative effects on civic discourse or elections")
    NON_CONSENSUAL = "non_consensual", _("Non-consensual behaviour (such as intimate images shared without consent)")
    BULLYING = "bullying", _("Online bullying or intimidation")
    PORNOGRAPHY = "pornography", _("Pornography or sexualised content")
    MINORS = "minors", _("Protection of minors (including child sexual abuse material)")
    PUBLIC_SECURITY = "public_security", _("Risk for public security (such as terrorist content)")
    SCAMS_FRAUD = "scams_fraud", _("Scams and fraud (such as phishing)")
    SELF_HARM = "self_harm", _("Self-harm")
    UNSAFE_PRODUCTS = "unsafe_products", _("Unsafe or illegal products")
    VIOLENCE = "violence", _("Violence")
    OTHER = "other", _("Other unlawful content")

    @property
    def dsa_code(self) -> str:
        """The value the EU transparency database uses for this category."""
        return DSA_CATEGORY_CODES[self.value]


DSA_CATEGORY_CODES = {
    "animal_welfare": "STATEMENT_CATEGORY_ANIMAL_WELFARE",
    "data_protection": "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
    "illegal_speech": "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
    "intellectual_property": "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS",
    "civic_discourse": "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS",
    "non_consensual": "STATEMENT_CATEGORY_NON_CONSENSUAL_BEHAVIOUR",
    "bullying": "STATEMENT_CATEGORY_ONLINE_BULLYING_INTIMIDATION",
    "pornography": "STATEMENT_CATEGORY_PORNOGRAPHY_OR_SEXUALIZED_CONTENT",
    "minors": "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
    "public_security": "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
    "scams_fraud": "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
    "self_harm": "STATEMENT_CATEGORY_SELF_HARM",
    "unsafe_products": "STATEMENT_CATEGORY_UNSAFE_AND_ILLEGAL_PRODUCTS",
    "violence": "STATEMENT_CATEGORY_VIOLENCE",
    "other": "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE",
}


class SourceType(models.TextChoices):
    """How the case started, in the transparency database's terms."""

    ARTICLE_16 = "SOURCE_ARTICLE_16", _("notice (DSA art. 16)")
    TRUSTED_FLAGGER = "SOURCE_TRUSTED_FLAGGER", _("trusted flagger")
    VOLUNTARY = "SOURCE_VOLUNTARY", _("own initiative")


class OwnerContact(models.TextChoices):
    CONTACTED = "contacted", _("I contacted the owner of the website first")
    NO_DETAILS = "no_details", _("The website gives no way to contact its owner")
    NOT_CONTACTED = "not_contacted", _("I have not contacted the owner")


class Capacity(models.TextChoices):
    SELF = "self", _("for myself")
    ORGANISATION = "organisation", _("for my organisation")
    REPRESENTATIVE = "representative", _("as a representative of someone else (lawyer, agent)")


class ApiKey(models.Model):
    """Access to the notice API for an organisation that sends many notices; trusted flaggers are marked."""

    name = models.CharField(_("organisation"), max_length=200)
    contact_email = models.EmailField(_("contact e-mail address"))
    prefix = models.CharField(_("key prefix"), max_length=12, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    trusted_flagger = models.BooleanField(
        _("trusted flagger"), default=False, help_text=_("Their notices are marked and handled first.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class ReferenceCounter(models.Model):
    """The last case number handed out per year, so references are consecutive: NTD-2026-00042."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("reference counter")

    def __str__(self):
        return f"{self.year}: {self.last}"


class Notice(models.Model):
    """One NTD complaint and the case that follows it."""

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    state = models.CharField(_("state"), max_length=24, choices=State.choices, default=State.RECEIVED)
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    language = models.CharField(_("language of the complainant"), max_length=8, choices=settings.LANGUAGES)
    source_type = models.CharField(
        _("source"), max_length=24, choices=SourceType.choices, default=SourceType.ARTICLE_16
    )
    api_key = models.ForeignKey(
        ApiKey, on_delete=models.PROTECT, null=True, blank=True, related_name="notices", verbose_name=_("API key")
    )
    previous_notice = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="refiled_as",
        verbose_name=_("earlier rejected notice"),
    )

    # What is unlawful, and why (DSA art. 16(2)(a)).
    category = models.CharField(_("kind of unlawful content"), max_length=32, choices=Category.choices)
    explanation = models.TextField(_("why the content is unlawful"))

    # Who complains (DSA art. 16(2)(c)); passed to the client (the form says so).
    complainant_name = models.CharField(_("name"), max_length=200)
    complainant_email = models.EmailField(_("e-mail address"))
    complainant_phone = models.CharField(_("phone number"), max_length=40, blank=True)
    complainant_organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    capacity = models.CharField(_("acting"), max_length=20, choices=Capacity.choices, default=Capacity.SELF)
    on_behalf_of = models.CharField(_("on behalf of"), max_length=200, blank=True)

    # The procedure requires contacting the site's owner first.
    owner_contact = models.CharField(_("contact with the owner"), max_length=16, choices=OwnerContact.choices)
    owner_contacted_on = models.DateField(_("date of contact"), null=True, blank=True)
    owner_contact_how = models.CharField(_("how the owner was contacted"), max_length=300, blank=True)
    owner_contact_result = models.TextField(_("what came of it"), blank=True)

    good_faith = models.BooleanField(_("declared accurate, complete and in good faith"), default=False)
    identity_disclosure_accepted = models.BooleanField(_("accepts that the client sees their identity"), default=False)

    is_emergency = models.BooleanField(_("emergency"), default=False, db_index=True)
    emergency_reason = models.TextField(_("why this is an emergency"), blank=True)

    # Set by the procedure.
    website = models.ForeignKey(
        "contracts.Website",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("hosted website"),
    )
    forwarded_at = models.DateTimeField(_("forwarded to the client"), null=True, blank=True)
    customer_deadline = models.DateTimeField(_("client's deadline"), null=True, blank=True)
    assessment_started_at = models.DateTimeField(_("assessment started"), null=True, blank=True)
    assessment_deadline = models.DateTimeField(_("assessment deadline"), null=True, blank=True)
    # The deadline that matters now, kept with each transition so the queue can sort and filter on it.
    next_deadline = models.DateTimeField(_("next deadline"), null=True, blank=True, db_index=True)
    assessment_reminded_on = models.DateField(_("last overdue reminder"), null=True, blank=True, editable=False)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.TextField(_("reason given"), blank=True)
    automated_means = models.BooleanField(_("automated means used"), default=False, editable=False)

    # DSA art. 18: referral of a threat to life or safety.
    referred_to = models.CharField(_("referred to"), max_length=100, blank=True)
    referral_reference = models.CharField(_("referral reference"), max_length=100, blank=True)
    referred_at = models.DateTimeField(_("referred"), null=True, blank=True)

    # Secret links, stored only as SHA-256 hashes.
    tracking_token_hash = models.CharField(max_length=64, unique=True, editable=False)
    customer_token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("NTD notice")
        verbose_name_plural = _("NTD notices")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["state", "next_deadline"], name="ntd_notice_state_deadline_idx"),
            models.Index(Lower("complainant_email"), name="ntd_notice_email_lower_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(good_faith=True) & models.Q(identity_disclosure_accepted=True),
                name="ntd_notice_declarations_given",
            ),
            models.CheckConstraint(
                condition=~models.Q(is_emergency=True) | ~models.Q(emergency_reason=""),
                name="ntd_notice_emergency_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="awaiting_customer")
                | (models.Q(website__isnull=False) & models.Q(customer_deadline__isnull=False)),
                name="ntd_notice_forwarded_has_client_deadline",
            ),
        ]
        permissions = [
            ("decide_notice", _("Can decide NTD notices")),
            ("issue_api_key", _("Can issue API keys")),
        ]

    def __str__(self):
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def client(self):
        return self.website.client if self.website_id else None


class NoticeUrl(models.Model):
    """One exact location of the content (DSA art. 16(2)(b)), with the hosted website it belongs to, if any."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="urls")
    url = models.URLField(_("URL"), max_length=2000)
    host = models.CharField(_("host name"), max_length=253, db_index=True)
    website = models.ForeignKey(
        "contracts.Website",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("website"),
    )

    class Meta:
        verbose_name = _("URL")
        verbose_name_plural = _("URLs")
        ordering = ["id"]

    def __str__(self):
        return self.url


class Evidence(models.Model):
    """A file sent with the notice or with the client's answer; stored privately, served only to who may see it."""

    class Party(models.TextChoices):
        COMPLAINANT = "complainant", _("complainant")
        CUSTOMER = "customer", _("client")

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="evidence")
    party = models.CharField(_("from"), max_length=12, choices=Party.choices)
    file = models.FileField(_("file"), upload_to="ntd/evidence/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name


class CustomerResponse(models.Model):
    """The client's answer through its link: it removed the material, or it disagrees and why."""

    class Kind(models.TextChoices):
        REMOVED = "removed", _("removed the material")
        DISAGREES = "disagrees", _("disagrees")

    notice = models.OneToOneField(Notice, on_delete=models.CASCADE, related_name="customer_response")
    kind = models.CharField(_("answer"), max_length=12, choices=Kind.choices)
    text = models.TextField(_("note or reasons"))
    responded_at = models.DateTimeField(_("answered"), default=timezone.now)

    class Meta:
        verbose_name = _("client's answer")
        verbose_name_plural = _("clients' answers")

    def __str__(self):
        return self.get_kind_display()


class NoticeEvent(models.Model):
    """One step of a case: who, when, from which state to which, and a note."""

    class Actor(models.TextChoices):
        COMPLAINANT = "complainant", _("complainant")
        CUSTOMER = "customer", _("client")
        STAFF = "staff", _("ISI Media")
        SYSTEM = "system", pgettext_lazy("actor", "deadline")

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.CharField(_("by"), max_length=12, choices=Actor.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_state = models.CharField(_("from"), max_length=24, choices=State.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=24, choices=State.choices, blank=True)
    # The transition's name (ntd.transitions), so e.g. an emergency take-down can be told from a normal one.
    transition = models.CharField(_("step"), max_length=32, blank=True, db_index=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.notice_id}: {self.from_state} → {self.to_state}"


class InternalNote(models.Model):
    """A staff note on a case; never shown to the complainant or the client."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="internal_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    text = models.TextField(_("note"))

    class Meta:
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.text[:60]


class StatementOfReasons(models.Model):
    """The DSA art. 17 statement sent to the client when its site is restricted, in the EU database's fields."""

    class Visibility(models.TextChoices):
        REMOVED = "DECISION_VISIBILITY_CONTENT_REMOVED", _("the content was removed")
        DISABLED = "DECISION_VISIBILITY_CONTENT_DISABLED", _("access to the content was disabled")
        SITE_OFFLINE = "DECISION_VISIBILITY_OTHER", _("the website was taken offline")

    class Ground(models.TextChoices):
        ILLEGAL = "DECISION_GROUND_ILLEGAL_CONTENT", _("illegal content")
        INCOMPATIBLE = "DECISION_GROUND_INCOMPATIBLE_CONTENT", _("incompatible with our general terms")

    notice = models.OneToOneField(Notice, on_delete=models.CASCADE, related_name="statement_of_reasons")
    decision_visibility = models.CharField(_("measure"), max_length=40, choices=Visibility.choices)
    scope = models.TextField(_("scope of the measure"))
    end_date = models.DateField(_("measure ends"), null=True, blank=True, help_text=_("Empty: indefinite."))
    decision_ground = models.CharField(_("ground"), max_length=40, choices=Ground.choices)
    legal_ground = models.CharField(_("legal or contractual ground"), max_length=300)
    ground_explanation = models.TextField(_("explanation of the ground"))
    decision_facts = models.TextField(_("facts and circumstances"))
    category = models.CharField(_("category"), max_length=32, choices=Category.choices)
    source_type = models.CharField(_("source"), max_length=24, choices=SourceType.choices)
    automated_detection = models.BooleanField(_("automated detection"), default=False)
    automated_decision = models.BooleanField(_("automated decision"), default=False)
    content_date = models.DateField(_("date of the content"), null=True, blank=True)
    application_date = models.DateField(_("date the measure applies"))
    territorial_scope = models.CharField(_("territorial scope"), max_length=100, default="EEA")
    created_at = models.DateTimeField(_("issued"), default=timezone.now)

    class Meta:
        verbose_name = _("statement of reasons")
        verbose_name_plural = _("statements of reasons")

    def __str__(self):
        return f"{self.notice}: {self.get_decision_visibility_display()}"
