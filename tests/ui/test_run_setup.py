"""ui.share.page_setup with a training page's setup whose install refuses a config: the old run
stays, the refusal is said once at the top of the page (for a link on the run that opened it, for a
preset file on the run after its upload), and the address bar keeps describing the run in use."""

import os

from streamlit.testing.v1 import AppTest

from classroom.sharing import preset_to_json
from page_support import TEST_PAGES, open_test_page

PAGE = os.path.join(TEST_PAGES, "refusing_run_page.py")
REFUSAL = "Not applied: batch\\_size 512 is more than this run takes"  # as escape_markdown shows it


def open_page(query: dict | None = None) -> AppTest:
    return open_test_page(PAGE, query)


def config(at):
    return at.session_state["run"].trainer.config


def test_a_link_the_run_refuses_keeps_the_old_run_and_says_why_once():
    at = open_page({"seed": "3", "batch_size": "512"})
    assert (config(at).seed, config(at).batch_size) == (0, 16)
    assert [e.value for e in at.error] == [REFUSAL]
    assert at.query_params == {"run": "testrun", "target": "ring8", "seed": "0"}
    at.run()
    assert not at.error and (config(at).seed, config(at).batch_size) == (0, 16)


def test_a_link_the_run_takes_is_installed_and_written_back_with_the_run_id():
    at = open_page({"seed": "3", "batch_size": "64"})
    assert (config(at).seed, config(at).batch_size) == (3, 64) and not at.error
    assert at.query_params == {"run": "testrun", "target": "ring8", "seed": "3", "batch_size": "64"}


def test_a_preset_file_the_run_refuses_changes_nothing_and_says_why_once():
    at = open_page()
    base = config(at)
    refused = preset_to_json(base.replace(seed=9, batch_size=512), "refusing", "too big")
    at.file_uploader(key="refusing_share_upload").set_value(("p.json", refused.encode(), "application/json")).run()
    assert not at.exception
    assert config(at) == base
    assert [e.value for e in at.error] == [REFUSAL]
    at.run()
    assert REFUSAL not in [e.value for e in at.error] and config(at) == base
