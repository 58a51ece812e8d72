"""Writes of the contracts app: the client registry and accounts (clients), terms and DPA versions (documents),
and DPA signatures (signing). Import from here; the modules are split by subject only for reading."""

from .clients import (
    client_contact_invite,
    client_create,
    normalise_kvk_number,
    password_reset_request,
    website_add,
)
from .documents import (
    version_create_draft,
    version_publish,
    version_publish_backdated,
    version_render_pdf,
    version_update_draft,
    versions_render_missing_pdfs,
)
from .objections import objection_create, objection_settle
from .signing import client_ip_address, dpa_sign, signed_pdf_make, signed_pdfs_make_missing

__all__ = [
    "client_contact_invite",
    "client_create",
    "client_ip_address",
    "dpa_sign",
    "normalise_kvk_number",
    "objection_create",
    "objection_settle",
    "password_reset_request",
    "signed_pdf_make",
    "signed_pdfs_make_missing",
    "version_create_draft",
    "version_publish",
    "version_publish_backdated",
    "version_render_pdf",
    "version_update_draft",
    "versions_render_missing_pdfs",
    "website_add",
]
