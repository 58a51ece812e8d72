"""The signed PDF downloads in as few queries as a logged-in page can take (issue 8: as fast as a static file)."""

import pytest
from django.urls import reverse

from .factories import ClientContactFactory
from .test_sealing import make_contact, make_dpa_in_force, make_signed_acceptance, make_signing_certificate

pytestmark = [pytest.mark.django_db, pytest.mark.urls("contracts.tests.test_sealing")]


@pytest.fixture
def signed_acceptance(tmp_path, settings):
    make_signing_certificate(tmp_path, settings)
    contact = make_contact()
    return make_signed_acceptance(contact, make_dpa_in_force())


def test_the_contact_downloads_the_pdf_in_three_queries(client, signed_acceptance, django_assert_num_queries):
    client.force_login(signed_acceptance.user)
    url = reverse("contracts_signing:dpa_pdf", args=[signed_acceptance.pk])

    # The session, the user, and the acceptance together with the check that the user is a contact of its client.
    with django_assert_num_queries(3):
        response = client.get(url)
        data = b"".join(response.streaming_content)

    assert response["Content-Type"] == "application/pdf"
    assert data.startswith(b"%PDF")


def test_a_contact_of_another_client_gets_nothing(client, signed_acceptance, django_assert_num_queries):
    client.force_login(ClientContactFactory().user)

    with django_assert_num_queries(3):
        response = client.get(reverse("contracts_signing:dpa_pdf", args=[signed_acceptance.pk]))

    assert response.status_code == 404
