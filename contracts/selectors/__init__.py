"""Reads of the contracts app, by subject; import from here."""

from .clients import client_annotate_counts, client_contact_for_user, website_for_url, website_list
from .documents import (
    version_by_label,
    version_diff,
    version_in_force,
    version_scheduled,
    version_status,
    versions_archive,
)
from .objections import (
    objectable_versions_for_client,
    objections_for_client_and_version,
    version_is_objectable,
)
from .signing import acceptance_for_download, dpa_signable_versions, dpa_status_for_client, dpa_verify

__all__ = [
    "acceptance_for_download",
    "client_annotate_counts",
    "client_contact_for_user",
    "dpa_signable_versions",
    "dpa_status_for_client",
    "dpa_verify",
    "objectable_versions_for_client",
    "objections_for_client_and_version",
    "version_by_label",
    "version_diff",
    "version_in_force",
    "version_is_objectable",
    "version_scheduled",
    "version_status",
    "versions_archive",
    "website_for_url",
    "website_list",
]
