"""A classroom server shows students its own words only: the repository's .streamlit/config.toml
sets client.showErrorDetails to "none", so an uncaught exception reaches the browser as Streamlit's
generic notice, without the server's file paths, the exception's type or its message."""

import os
import tomllib

from streamlit import config
from streamlit.testing.v1 import AppTest

from page_support import ROOT

CRASH = '''
raise ValueError("secret detail in /srv/gan-classroom/app.py")
'''


def test_config_file_hides_error_details_and_streamlit_accepts_the_value():
    with open(os.path.join(ROOT, ".streamlit", "config.toml"), "rb") as f:
        value = tomllib.load(f)["client"]["showErrorDetails"]
    assert value == "none"
    assert value in {o.value for o in config.ShowErrorDetailsConfigOptions}


def test_a_crashing_page_shows_no_path_type_or_message_under_the_file_setting():
    with open(os.path.join(ROOT, ".streamlit", "config.toml"), "rb") as f:
        value = tomllib.load(f)["client"]["showErrorDetails"]
    before = config.get_option("client.showErrorDetails")  # tests/conftest.py sets "full"
    config.set_option("client.showErrorDetails", value)
    try:
        at = AppTest.from_string(CRASH).run()
    finally:
        config.set_option("client.showErrorDetails", before)
    assert len(at.exception) == 1
    shown = at.exception[0]
    text = " ".join([shown.value, shown.message, *shown.stack_trace, shown.proto.type])
    assert "/srv/" not in text and "secret" not in text and "ValueError" not in text
    assert shown.stack_trace == []
    # the test setting itself shows everything (what a failing test prints)
    at = AppTest.from_string(CRASH).run()
    assert "secret detail in /srv/gan-classroom/app.py" in at.exception[0].value
