"""The value-function page is shareable (ui.share.widget_setup on ui.value_function.controls.SETTINGS): a link
restores every kind of widget and the numbers follow; a hostile link shows its messages and
applies the sane part; the address bar follows the widgets (and stays empty on the default page);
a downloaded preset loads into a fresh tab; a malformed or oversized file changes nothing."""

import json

import pytest

from download_support import download_bytes
from gan_core import dirac
from gan_core import theory as T
from classroom.setting_values import FORMAT
from page_support import metric_number, open_app, plain, readout_value

PAGE = "views/value_function.py"
UPLOAD = "value_function_share_upload"
LINK = {"data_mean1": "-1.5", "data_two": "true", "data_mean2": "2.5", "data_weight2": "0.4", "g_sigma1": "1.25",
        "slope": "0.5", "alpha": "0.7", "dirac_method": "r1", "dirac_h": "0.2", "dirac_steps": "200",
        "dirac_gamma": "2", "dirac_compare": "wgan,r1"}


def assert_link_applied(at) -> None:
    ss = at.session_state
    data = (ss["vf_data_mean1"], ss["vf_data_two"], ss["vf_data_mean2"], ss["vf_data_weight2"])
    assert data == (-1.5, True, 2.5, 0.4)
    assert (ss["vf_g_sigma1"], ss["vf_slope"], ss["vf_alpha"]) == (1.25, 0.5, 0.7)
    assert (ss["vf_g_mean1"], ss["vf_offset"], ss["vf_dfake"]) == (2.0, 1.0, 0.05)  # not in the link: defaults
    assert at.checkbox(key="vf_data_two").value is True and at.slider(key="vf_data_mean2").value == 2.5
    assert at.selectbox(key="vf_dirac_method").value == "r1"
    assert at.slider(key="vf_dirac_steps").value == 200 and at.slider(key="vf_dirac_gamma").value == 2.0
    assert at.multiselect(key="vf_dirac_compare").value == ["wgan", "r1"]
    # the numbers follow: p_data = 0.6·N(−1.5, 1) + 0.4·N(2.5, 0.5), p_g = N(2, 1.25)
    p, q = T.Mixture1D((-1.5, 2.5), (1.0, 0.5), (0.6, 0.4)), T.Mixture1D.gaussian(2.0, 1.25)
    x = T.quadrature_grid(p, q)
    assert metric_number(at, "JSD(p_data ‖ p_g)") == pytest.approx(T.jsd(p.pdf(x), q.pdf(x), x), abs=6e-7)
    assert float(readout_value(at, "V(D, G)")) == pytest.approx(
        float(T.logistic_value(0.5, 1.0, p.pdf(x), q.pdf(x), x)), abs=6e-5)
    assert metric_number(at, "D*_α at equilibrium") == pytest.approx(0.35, abs=1e-9)
    sim = dirac.trajectory("r1", (1.0, 1.0), 0.2, 200, False, dirac.DiracParams(gamma=2.0))
    expected = dirac.distance_to_equilibrium(sim)[-1]
    assert metric_number(at, "simultaneous, after 200 steps") == pytest.approx(expected, rel=1e-3)


def test_the_default_page_keeps_a_clean_url():
    at = open_app(PAGE, timeout=90)
    assert dict(at.query_params) == {} and not at.error and not at.warning
    assert at.code[0].value == ""  # no browser URL in AppTest and nothing changed: an empty query


def test_a_link_restores_every_kind_of_widget_and_the_url_follows_changes():
    at = open_app(PAGE, timeout=90, query=LINK)
    assert not at.error and not at.warning
    assert_link_applied(at)
    assert dict(at.query_params) == LINK
    at.slider(key="vf_alpha").set_value(0.9).run()  # back to the default: it leaves the URL
    assert "alpha" not in at.query_params and at.session_state["vf_slope"] == 0.5  # the old link is not re-applied
    at.slider(key="vf_dirac_steps").set_value(1000).run()
    assert at.query_params["dirac_steps"] == "1000"
    at.multiselect(key="vf_dirac_compare").unselect("wgan").run()
    assert at.query_params["dirac_compare"] == "r1"
    at.button(key="vf_equilibrium").click().run()  # a callback that moves sliders moves the URL too
    assert (at.query_params["g_mean1"], at.query_params["g_sigma1"], at.query_params["g_two"]) == ("-1.5", "1", "true")
    assert at.query_params["g_mean2"] == "2.5" and at.query_params["g_weight2"] == "0.4"
    assert metric_number(at, "JSD(p_data ‖ p_g)") == pytest.approx(0.0, abs=1e-9)
    assert not at.exception


def test_hostile_link_shows_messages_and_applies_the_sane_part():
    hostile = {"evil<script>": "1", "alpha": "7", "dirac_steps": "many", "dirac_h": "nan", "g_mean1": "9" * 200,
               "data_sigma1": "0.33", "dirac_method": "[x](http://example.com)", "dirac_compare": "gan,evil",
               "data_two": "maybe", "slope": "2"}
    at = open_app(PAGE, timeout=90, query=hostile)
    errors, warnings = plain(at.error), plain(at.warning)
    assert "Unknown setting(s) ignored: evil<script>" in errors
    assert "dirac_steps must be a whole number; got 'many'; kept the default" in errors
    assert "dirac_h must be a finite number; got 'nan'; kept the default" in errors
    assert "g_mean1: value of 200 characters is too long; kept the default" in errors
    assert "dirac_method must be one of gan, nsgan, wgan, wgan_gp, r1, consensus" in errors
    assert "](http" not in " ".join(e.value for e in at.error)  # a crafted link stays text
    assert "dirac_compare: refused 'evil'" in errors and "data_two must be true or false" in errors
    assert "alpha=7 is above the largest allowed value; using 1" in warnings
    assert "data_sigma1=0.33 is between the slider's steps of 0.05; using 0.35" in warnings
    ss = at.session_state
    assert (ss["vf_alpha"], ss["vf_data_sigma1"], ss["vf_slope"], ss["vf_dirac_compare"]) == (1.0, 0.35, 2.0, ["gan"])
    assert (ss["vf_dirac_steps"], ss["vf_dirac_h"], ss["vf_g_mean1"], ss["vf_dirac_method"]) == (500, 0.1, 2.0, "gan")
    assert ss["vf_data_two"] is False
    assert dict(at.query_params) == {"data_sigma1": "0.35", "slope": "2", "alpha": "1", "dirac_compare": "gan"}
    assert any(m.value.startswith("### Value function") for m in at.markdown)  # the page drew itself


def test_a_downloaded_preset_loads_into_a_fresh_tab_and_bad_files_change_nothing(downloads):
    open_app(PAGE, timeout=90, query=LINK)
    doc = json.loads(download_bytes(downloads, ":material/download: Download preset"))
    assert (doc["format"], doc["page"], doc["name"]) == (FORMAT, "value_function", "value function setup")
    assert doc["settings"]["data_mean1"] == -1.5 and doc["settings"]["dirac_steps"] == 200
    assert doc["settings"]["dirac_compare"] == ["wgan", "r1"] and doc["settings"]["offset"] == 1.0
    assert len(doc["settings"]) == 2 * 6 + 5 + 10  # every setting: two densities, tabs ①-⑤, Dirac-GAN

    fresh = open_app(PAGE, timeout=90)
    data = json.dumps(doc).encode()
    fresh.file_uploader(key=UPLOAD).set_value(("p.json", data, "application/json")).run()
    assert not fresh.exception
    assert any("Loaded value function setup" in s.value for s in fresh.success)
    assert_link_applied(fresh)
    assert dict(fresh.query_params) == LINK

    before = {k: fresh.session_state[k] for k in ("vf_data_mean1", "vf_alpha", "vf_dirac_steps", "vf_dirac_compare")}
    other_page = json.dumps({"format": FORMAT, "page": "mode_coverage", "settings": {"n": 300}}).encode()
    for bad, phrase in ((b"{oops", "not valid JSON"), (other_page, "saved on the page 'mode_coverage'"),
                        (b" " * 70_000, "more than 64,000")):
        fresh.file_uploader(key=UPLOAD).set_value(("bad.json", bad, "application/json")).run()
        assert not fresh.exception
        assert {k: fresh.session_state[k] for k in before} == before, phrase  # nothing changed
        assert dict(fresh.query_params) == LINK
        assert "The preset file was not applied." in plain(fresh.error) and phrase in plain(fresh.error)
