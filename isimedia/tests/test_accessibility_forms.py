"""The three public forms (NTD notice, privacy request, feedback) for people who cannot use a mouse, who use a screen
reader, or who zoom in: sent with the keyboard alone, errors announced and linked to their fields, and usable at
400% zoom and on a 360 px wide phone (screenshots under artifacts/screenshots/)."""

import re

import pytest
from playwright.sync_api import expect

from isimedia.models import OutboxMessage
from isimedia.tests.browser import PHONE_VIEWPORT
from ntd.models import Notice
from privacy.models import DataSubjectRequest
from satisfaction.models import Feedback

pytestmark = pytest.mark.browser

# 400% zoom of a 1280x1024 screen: the page gets 320x256 CSS pixels (WCAG 1.4.10, reflow). The layout depends on
# CSS pixels only, so a scale factor of 1 gives the same layout as a real zoom, with screenshots a quarter the size.
ZOOM_400_VIEWPORT = {"width": 320, "height": 256}
FORMS = {
    "ntd-form": ("/ntd/", "form.ntd-form"),
    "privacy-form": ("/privacy/verzoek/", "main form"),
    "satisfaction-form": ("/tevredenheid/", "form.satisfaction-form"),
}


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # A captcha puzzle the browser solves at once, and a short minimum time before the feedback may be sent.
    settings.SATISFACTION_CAPTCHA_MAX_NUMBER = 5000
    settings.SATISFACTION_MIN_SECONDS = 1


def focused(page, selector: str) -> bool:
    return page.evaluate("(selector) => document.activeElement.matches(selector)", selector)


def tab_to(page, selector: str, *, backwards: bool = False, limit: int = 40) -> None:
    """Press Tab (or Shift+Tab) until the element matching ``selector`` has focus, as a keyboard user does."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        if focused(page, selector):
            return
    raise AssertionError(f"{selector} was not reached with {limit} presses of {key}")


# --- the keyboard alone ---------------------------------------------------------------------------------------------


def test_an_ntd_notice_sent_with_the_keyboard_alone(new_page, screenshot):
    page = new_page(locale="en-GB")
    page.goto("/ntd/")

    tab_to(page, "#id_urls")
    page.keyboard.type("https://www.korenschoof.example/recepten/appeltaart")
    page.keyboard.press("Tab")
    assert focused(page, "#id_category")
    page.keyboard.press("ArrowDown")  # a closed select changes its choice with the arrow keys
    expect(page.locator("#id_category")).not_to_have_value("")
    tab_to(page, "#id_explanation")
    page.keyboard.type("I took this photo myself in 2024; the site uses it without my permission or a licence.")
    # The radio group: Tab enters it, an arrow key chooses, and the question that belongs to the choice appears.
    tab_to(page, "input[name=owner_contact]")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#id_owner_contact_1")).to_be_checked()
    tab_to(page, "#id_owner_contact_result")
    page.keyboard.type("The site has no contact page and no imprint.")
    tab_to(page, "#id_complainant_name")
    page.keyboard.type("Marieke Jansen")
    page.keyboard.press("Tab")
    page.keyboard.type("marieke@fotografie.example")
    tab_to(page, "input[name=capacity]")
    page.keyboard.press("Space")
    expect(page.locator("#id_capacity_0")).to_be_checked()
    tab_to(page, "#id_good_faith")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert focused(page, "#id_identity_disclosure_accepted")
    page.keyboard.press("Space")
    tab_to(page, "form.ntd-form button[type=submit]")
    # Back one step and forward again: the declaration is still ticked.
    tab_to(page, "#id_identity_disclosure_accepted", backwards=True)
    expect(page.locator("#id_identity_disclosure_accepted")).to_be_checked()
    tab_to(page, "form.ntd-form button[type=submit]")
    screenshot(page, "keyboard-ntd-form-en-filled")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/ntd/volgen/[^/]+/$"))
    expect(page.locator("#confirmation")).to_contain_text("Thank you, your notice has been received")
    notice = Notice.objects.get()
    assert notice.complainant_email == "marieke@fotografie.example"
    assert notice.owner_contact == "no_details"
    screenshot(page, "keyboard-ntd-confirmation-en")


def test_a_privacy_request_sent_with_the_keyboard_alone(new_page, screenshot):
    page = new_page(locale="en-GB")
    page.goto("/privacy/verzoek/")

    tab_to(page, "input[name=right]")
    page.keyboard.press("Space")
    expect(page.locator("#id_right_0")).to_be_checked()
    tab_to(page, "#id_description")
    page.keyboard.type("Which of my data do you still keep after my complaint last year?")
    tab_to(page, "input[name=relation]")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#id_relation_1")).to_be_checked()
    tab_to(page, "#id_name")
    page.keyboard.type("Sanne de Vries")
    tab_to(page, "#id_email")
    page.keyboard.type("sanne@voorbeeld.example")
    tab_to(page, "main form button[type=submit]")
    screenshot(page, "keyboard-privacy-form-en-filled")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/privacy/verzoek/verstuurd/$"))
    expect(page.locator("#request-sent")).to_contain_text("sanne@voorbeeld.example")
    request = DataSubjectRequest.objects.get()
    assert (request.right, request.relation, request.email) == ("access", "visitor", "sanne@voorbeeld.example")
    assert OutboxMessage.objects.filter(template="privacy_confirm", to="sanne@voorbeeld.example").exists()


def test_feedback_sent_with_the_keyboard_alone_including_the_captcha(new_page, screenshot):
    page = new_page()
    page.goto("/tevredenheid/")

    tab_to(page, "input[name=score]")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    expect(page.locator("#id_score_3")).to_be_checked()
    tab_to(page, "#id_comment")
    page.keyboard.type("Snel geholpen, alleen de factuur was onduidelijk.")
    # The captcha is a real checkbox in the tab order: Space ticks it and the browser solves the puzzle.
    tab_to(page, "altcha-widget input[type=checkbox]")
    page.keyboard.press("Space")
    expect(page.locator('altcha-widget [data-state="verified"]')).to_be_attached(timeout=20_000)
    expect(page.locator('form.satisfaction-form input[name="altcha"]')).not_to_have_value("")
    page.wait_for_timeout(1100)  # past the minimum time, as anyone who read the page is
    tab_to(page, "form.satisfaction-form button[type=submit]")
    screenshot(page, "keyboard-satisfaction-form-nl-filled")
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/tevredenheid/bedankt/$"))
    feedback = Feedback.objects.get()
    assert (feedback.score, feedback.comment) == (4, "Snel geholpen, alleen de factuur was onduidelijk.")


# --- errors announced and linked -------------------------------------------------------------------------------------

# For every control marked invalid: its aria-describedby ids, and the text of each element they point at.
INVALID_CONTROLS = """(form) => Array.from(document.querySelectorAll(form + ' input, ' + form + ' select, '
    + form + ' textarea'))
  .filter((c) => c.type !== 'hidden'
    && (c.getAttribute('aria-invalid') === 'true' || c.classList.contains('is-invalid')))
  .map((c) => ({
    control: c.id || c.name,
    invalid: c.getAttribute('aria-invalid'),
    described: (c.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean).map((id) => {
      const element = document.getElementById(id);
      return element ? {id, text: element.textContent.trim(), error: element.classList.contains('invalid-feedback')}
        : {id, text: null, error: false};
    }),
  }))"""


@pytest.mark.parametrize("name", list(FORMS))
def test_after_a_failed_send_the_errors_are_announced_and_linked_to_their_fields(new_page, name):
    path, form = FORMS[name]
    page = new_page()
    page.goto(path)
    if name == "satisfaction-form":
        expect(page.locator("altcha-widget input[type=checkbox]")).to_be_visible()

    page.locator(f"{form} button[type=submit]").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_have_attribute("role", "alert")
    # Focus is on the summary, so a screen reader reads it first; each of its links leads to a field.
    expect(summary).to_be_focused()
    links = summary.locator("a")
    assert links.count() >= 2
    for href in links.evaluate_all("(links) => links.map((link) => link.getAttribute('href'))"):
        assert page.locator(href).count() == 1, f"the summary links to {href}, which is not on the page"
    summary_text = summary.inner_text()
    if name == "satisfaction-form":
        # The captcha's box, which its widget draws, is linked to its message too.
        expect(page.locator("altcha-widget input[type=checkbox]")).to_have_attribute("aria-invalid", "true")

    controls = page.evaluate(INVALID_CONTROLS, form)

    assert controls, "no field is marked invalid"
    for control in controls:
        assert control["invalid"] == "true", f"{control['control']} looks invalid but has no aria-invalid"
        errors = [described for described in control["described"] if described["error"]]
        assert errors, f"{control['control']} is not described by its error message: {control['described']}"
        for error in errors:
            assert error["text"] and error["text"] in summary_text, (
                f"{control['control']}: its message {error['text']!r} is not the one in the summary"
            )
    assert all(described["text"] is not None for control in controls for described in control["described"]), (
        "an aria-describedby points at an element that does not exist"
    )


# --- 400% zoom and a 360 px phone ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(FORMS))
@pytest.mark.parametrize(("size", "viewport"), [("360", PHONE_VIEWPORT), ("400pct", ZOOM_400_VIEWPORT)])
def test_the_form_reflows_without_sideways_scrolling(new_page, screenshot, name, size, viewport):
    path, form = FORMS[name]
    page = new_page(viewport=viewport)
    page.goto(path)
    if name == "satisfaction-form":
        expect(page.locator("altcha-widget input[type=checkbox]")).to_be_visible()

    def assert_fits(state: str) -> None:
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"{name} ({state}) scrolls sideways at {size}: {width[0]}px in {width[1]}px"
        button = page.locator(f"{form} button[type=submit]")
        button.scroll_into_view_if_needed()
        expect(button).to_be_in_viewport()
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width[1], f"the send button sticks out: {box}"

    assert_fits("empty")
    screenshot(page, f"{name}-{size}-nl")

    page.locator(f"{form} button[type=submit]").click()
    expect(page.locator("#error-summary")).to_be_visible()
    # Measured once the stylesheets have loaded: a layout read while the page is still loading is unstyled.
    page.wait_for_load_state("load")
    assert_fits("with errors")
    screenshot(page, f"{name}-{size}-nl-errors")
