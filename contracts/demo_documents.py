"""Demo versions of the general terms and the DPA, so a newcomer sees every document page and PDF after ``make run``.

The texts are short and written for the demo; they are not ISI Media's real documents. Each document gets two
versions: one in force since 1 January 2024 and one that takes effect on the first day of the month after the notice
period (about three months ahead), with a summary of what changes.

How the version in force gets a date in the past: ``version_publish`` rightly refuses one (nobody can be told in time
about a change that already happened). The demo uses ``version_publish_backdated``, the service meant for taking
over the history that existed before the portal, which records the version with its real date and a reason
("Demo …") in the short-notice field, so the archive shows it was recorded afterwards. That service only works
while a document has no normally published version, which is why this seed touches a document only when it has
no published version at all: running it again changes nothing.

The PDFs are rendered here, synchronously, because the demo signature (made right after this seed) needs the stored
PDF of the DPA. In the portal itself a PDF is always rendered by the Celery task after publication.
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from .models import DocumentKind, DocumentVersion
from .services import documents as services

PAST_LABEL = "2024-01"
PAST_EFFECTIVE_ON = datetime.date(2024, 1, 1)
DEMO_REASON = "Demo: de versie die al gold voordat het portaal bestond, achteraf vastgelegd."

DPA_TITLE = "Verwerkersovereenkomst"
TERMS_TITLE = "Algemene voorwaarden"

DPA_V1 = """\
Deze verwerkersovereenkomst hoort bij de hostingovereenkomst tussen de klant en ISI Media. Zij is geschreven voor de \
demonstratie van het klantportaal en geldt niet als echte overeenkomst.

## Artikel 1 Begrippen

Verwerkingsverantwoordelijke
:   De klant, die bepaalt waarvoor en hoe persoonsgegevens op zijn website worden verwerkt.

Verwerker
:   ISI Media, die de website van de klant host en daarbij persoonsgegevens verwerkt.

Datalek
:   Een inbreuk op de beveiliging waardoor persoonsgegevens verloren gaan of bij iemand terechtkomen die ze niet \
mag zien.

## Artikel 2 Onderwerp

2.1 ISI Media verwerkt persoonsgegevens alleen om de website van de klant te hosten, te beveiligen en te \
onderhouden.

2.2 ISI Media volgt daarbij de schriftelijke instructies van de klant, tenzij een wettelijke plicht iets anders \
vraagt.

## Artikel 3 Beveiliging

3.1 ISI Media neemt passende technische en organisatorische maatregelen, waaronder:

- versleutelde verbindingen naar de servers;
- dagelijkse back-ups, bewaard in een ander datacenter;
- toegang voor medewerkers alleen als hun werk dat vraagt.

3.2 ISI Media laat de klant weten wanneer een van deze maatregelen wezenlijk verandert.

## Artikel 4 Datalekken

4.1 ISI Media meldt een datalek binnen 72 uur nadat het is ontdekt aan de klant.

4.2 De klant beslist of het datalek aan de Autoriteit Persoonsgegevens en aan betrokkenen wordt gemeld.

## Artikel 5 Subverwerkers

5.1 ISI Media schakelt alleen subverwerkers in die zich aan dezelfde verplichtingen houden als in deze \
overeenkomst.

## Artikel 6 Einde van de overeenkomst

6.1 Na het einde van de hostingovereenkomst levert ISI Media de gegevens op verzoek terug en verwijdert zij ze \
binnen 30 dagen.
"""

DPA_V2 = """\
Deze verwerkersovereenkomst hoort bij de hostingovereenkomst tussen de klant en ISI Media. Zij is geschreven voor de \
demonstratie van het klantportaal en geldt niet als echte overeenkomst.

## Artikel 1 Begrippen

Verwerkingsverantwoordelijke
:   De klant, die bepaalt waarvoor en hoe persoonsgegevens op zijn website worden verwerkt.

Verwerker
:   ISI Media, die de website van de klant host en daarbij persoonsgegevens verwerkt.

Datalek
:   Een inbreuk op de beveiliging waardoor persoonsgegevens verloren gaan of bij iemand terechtkomen die ze niet \
mag zien.

## Artikel 2 Onderwerp

2.1 ISI Media verwerkt persoonsgegevens alleen om de website van de klant te hosten, te beveiligen en te \
onderhouden.

2.2 ISI Media volgt daarbij de schriftelijke instructies van de klant, tenzij een wettelijke plicht iets anders \
vraagt.

## Artikel 3 Beveiliging

3.1 ISI Media neemt passende technische en organisatorische maatregelen, waaronder:

- versleutelde verbindingen naar de servers;
- dagelijkse back-ups, versleuteld en bewaard in een ander datacenter in de Europese Unie;
- toegang voor medewerkers alleen als hun werk dat vraagt, met tweestapsverificatie.

3.2 ISI Media laat de klant weten wanneer een van deze maatregelen wezenlijk verandert.

## Artikel 4 Datalekken

4.1 ISI Media meldt een datalek binnen 48 uur nadat het is ontdekt aan de klant, en vertelt daarbij wat er is \
gebeurd en welke maatregelen zij heeft genomen.

4.2 De klant beslist of het datalek aan de Autoriteit Persoonsgegevens en aan betrokkenen wordt gemeld.

## Artikel 5 Subverwerkers

5.1 ISI Media schakelt alleen subverwerkers in die zich aan dezelfde verplichtingen houden als in deze \
overeenkomst.

5.2 ISI Media houdt een lijst van haar subverwerkers bij en kondigt een nieuwe subverwerker ten minste een maand \
van tevoren aan. De klant kan daartegen binnen die maand bezwaar maken.

## Artikel 6 Einde van de overeenkomst

6.1 Na het einde van de hostingovereenkomst levert ISI Media de gegevens op verzoek terug en verwijdert zij ze \
binnen 30 dagen.
"""

DPA_V2_SUMMARY = (
    "Een datalek melden we voortaan binnen 48 uur in plaats van 72 uur. Back-ups zijn versleuteld en blijven in de "
    "Europese Unie. Nieuw artikel 5.2: een nieuwe subverwerker kondigen we een maand van tevoren aan."
)

TERMS_V1 = """\
Deze algemene voorwaarden zijn geschreven voor de demonstratie van het klantportaal van ISI Media en gelden niet \
als echte voorwaarden.

## Artikel 1 Toepassing

1.1 Deze voorwaarden gelden voor elke offerte en elke overeenkomst van ISI Media met een klant.

1.2 Afspraken die hiervan afwijken gelden alleen als beide partijen ze schriftelijk hebben vastgelegd.

## Artikel 2 Diensten

2.1 ISI Media ontwerpt, bouwt en host websites. Wat zij precies levert staat in de offerte.

2.2 ISI Media spant zich in om de websites van klanten ten minste 99,5% van de tijd per maand bereikbaar te houden.

## Artikel 3 Prijzen en betaling

3.1 Alle prijzen zijn in euro en exclusief btw.

3.2 Hosting wordt per jaar vooruit gefactureerd; ander werk per maand achteraf.

3.3 Een factuur wordt binnen 14 dagen na de factuurdatum betaald.

## Artikel 4 Aansprakelijkheid

4.1 De aansprakelijkheid van ISI Media is beperkt tot het bedrag dat de klant in de drie maanden voor de schade \
voor de betreffende dienst heeft betaald.

## Artikel 5 Opzegging

5.1 Een overeenkomst voor onbepaalde tijd kan elke partij opzeggen tegen het einde van een kalendermaand, met een \
opzegtermijn van een maand.

## Artikel 6 Toepasselijk recht

6.1 Op deze voorwaarden is Nederlands recht van toepassing. Geschillen gaan naar de rechtbank Den Haag.
"""

TERMS_V2 = """\
Deze algemene voorwaarden zijn geschreven voor de demonstratie van het klantportaal van ISI Media en gelden niet \
als echte voorwaarden.

## Artikel 1 Toepassing

1.1 Deze voorwaarden gelden voor elke offerte en elke overeenkomst van ISI Media met een klant.

1.2 Afspraken die hiervan afwijken gelden alleen als beide partijen ze schriftelijk hebben vastgelegd. Een e-mail \
geldt ook als schriftelijk.

## Artikel 2 Diensten

2.1 ISI Media ontwerpt, bouwt en host websites. Wat zij precies levert staat in de offerte.

2.2 ISI Media spant zich in om de websites van klanten ten minste 99,8% van de tijd per maand bereikbaar te houden.

## Artikel 3 Prijzen en betaling

3.1 Alle prijzen zijn in euro en exclusief btw.

3.2 Hosting wordt per jaar vooruit gefactureerd; ander werk per maand achteraf.

3.3 Een factuur wordt binnen 30 dagen na de factuurdatum betaald.

3.4 ISI Media kan haar prijzen eenmaal per jaar aanpassen en kondigt dat ten minste twee maanden van tevoren aan.

## Artikel 4 Aansprakelijkheid

4.1 De aansprakelijkheid van ISI Media is beperkt tot het bedrag dat de klant in de drie maanden voor de schade \
voor de betreffende dienst heeft betaald.

## Artikel 5 Opzegging

5.1 Een overeenkomst voor onbepaalde tijd kan elke partij opzeggen tegen het einde van een kalendermaand, met een \
opzegtermijn van een maand.

## Artikel 6 Toepasselijk recht

6.1 Op deze voorwaarden is Nederlands recht van toepassing. Geschillen gaan naar de rechtbank Den Haag.
"""

TERMS_V2_SUMMARY = (
    "Betaaltermijn van 14 naar 30 dagen, bereikbaarheid van 99,5% naar 99,8%, een e-mail geldt als schriftelijk, en "
    "nieuw artikel 3.4 over prijswijzigingen."
)

DOCUMENTS = [
    (DocumentKind.DPA, DPA_TITLE, DPA_V1, DPA_V2, DPA_V2_SUMMARY),
    (DocumentKind.TERMS, TERMS_TITLE, TERMS_V1, TERMS_V2, TERMS_V2_SUMMARY),
]


def scheduled_date(kind: str, today: datetime.date | None = None) -> datetime.date:
    """The first day of the month after the notice period: changes take effect on the first of a month."""
    deadline = services.notice_deadline(kind, today)
    return deadline if deadline.day == 1 else (deadline + relativedelta(months=1)).replace(day=1)


def _draft(kind: str, label: str, title: str, body: str, summary: str, effective_on: datetime.date):
    existing = DocumentVersion.objects.filter(kind=kind, label=label).first()
    if existing is not None:
        return existing
    return services.version_create_draft(
        kind=kind, label=label, title=title, body=body, summary=summary, effective_on=effective_on
    )


def seed_documents() -> None:
    """Publish the demo DPA and terms (one version in force, one scheduled) with their PDFs; idempotent."""
    for kind, title, past_body, next_body, summary in DOCUMENTS:
        if DocumentVersion.objects.filter(kind=kind, published_at__isnull=False).exists():
            continue
        with transaction.atomic():
            past = _draft(kind, PAST_LABEL, title, past_body, "", PAST_EFFECTIVE_ON)
            services.version_publish_backdated(version_id=past.pk, user=None, reason=DEMO_REASON)
            effective_on = scheduled_date(kind, timezone.localdate())
            upcoming = _draft(kind, f"{effective_on:%Y-%m}", title, next_body, summary, effective_on)
            services.version_publish(version_id=upcoming.pk, user=None)
    for version_id in DocumentVersion.objects.filter(published_at__isnull=False, pdf="").values_list("id", flat=True):
        services.version_render_pdf(version_id=version_id)
