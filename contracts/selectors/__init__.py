"""Reads of the contracts app, by subject; import from here."""

from .clients import client_annotate_counts, client_contact_for_user, website_for_url, website_list

__all__ = ["client_annotate_counts", "client_contact_for_user", "website_for_url", "website_list"]
