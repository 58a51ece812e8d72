"""Writes of the contracts app: the client registry and accounts (clients), terms and DPA versions (documents),
and DPA signatures (signing). Import from here; the modules are split by subject only for reading."""

from .clients import (
    client_contact_invite,
    client_create,
    normalise_kvk_number,
    password_reset_request,
    website_add,
)

__all__ = [
    "client_contact_invite",
    "client_create",
    "normalise_kvk_number",
    "password_reset_request",
    "website_add",
]
