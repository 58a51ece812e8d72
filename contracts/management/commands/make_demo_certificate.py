"""Make sure a signing certificate exists: create a self-signed DEMO certificate when none is configured."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from contracts import sealing


class Command(BaseCommand):
    help = (
        "Create a self-signed DEMO organisation certificate for sealing signed DPAs at var/demo-signing.p12, "
        "unless CONTRACTS_SIGNING_PKCS12 names a certificate. Does nothing when the certificate already exists."
    )

    def handle(self, *args, **options):
        path = sealing.pkcs12_path()
        configured = bool(getattr(settings, "CONTRACTS_SIGNING_PKCS12", ""))
        if path.exists():
            try:
                identity = sealing.sealing_identity()
            except sealing.SealingNotConfigured as error:
                raise CommandError(str(error)) from error
            self._describe(identity.certificate, path, identity.is_demo)
            return
        if configured and path != sealing.default_pkcs12_path():
            # A configured certificate that is missing is a deployment error: never hide it behind a demo one.
            raise CommandError(f"CONTRACTS_SIGNING_PKCS12 names {path}, which does not exist.")
        if settings.IS_PRODUCTION:
            raise CommandError("No signing certificate is configured; production needs a real one.")
        certificate = sealing.make_self_signed_pkcs12(path, secret=sealing.passphrase(), demo=True)
        self.stdout.write(self.style.WARNING(f"Created a self-signed DEMO signing certificate at {path}."))
        self._describe(certificate, path, True)

    def _describe(self, certificate, path, is_demo: bool) -> None:
        validity = certificate["tbs_certificate"]["validity"]["not_after"].native
        self.stdout.write(f"Signed DPAs are sealed with: {certificate.subject.human_friendly}")
        self.stdout.write(f"  file {path}, valid until {validity:%Y-%m-%d}, SHA-256 {certificate.sha256.hex()}")
        if is_demo:
            self.stdout.write(
                self.style.WARNING(
                    "  This is a DEMO certificate: PDFs sealed with it prove nothing to anyone else. Set "
                    "CONTRACTS_SIGNING_PKCS12 and CONTRACTS_SIGNING_PASSPHRASE to ISI Media's real certificate."
                )
            )
