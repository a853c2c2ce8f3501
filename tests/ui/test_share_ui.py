"""ui.share.page_setup (over ui.share.links) in AppTest, on a test page with a setup of its own: a
link restores the setup once, hostile links and files show messages and no traceback, the address
bar follows the settings, and a preset file round-trips."""

import json
import os

from streamlit.testing.v1 import AppTest

from gan_core.config import TrainConfig
from download_support import download_bytes
from classroom.setting_values import FORMAT
from classroom.sharing import preset_to_json
from page_support import TEST_PAGES, open_test_page

PAGE = os.path.join(TEST_PAGES, "share_page.py")
BASE = TrainConfig(target="ring8", g_width=8, d_width=8, g_depth=1, d_depth=1, batch_size=16)


def open_page(query: dict | None = None) -> AppTest:
    return open_test_page(PAGE, query)


def config(at) -> TrainConfig:
    return at.session_state["config"]


def test_a_plain_visit_writes_target_and_seed_into_the_url():
    at = open_page()
    assert config(at) == BASE and not at.error and not at.warning
    assert at.query_params == {"target": "ring8", "seed": "0"}
    assert at.code[0].value == "?target=ring8&seed=0"  # no browser URL in AppTest: the query alone


def test_a_link_restores_its_settings_once_and_the_url_follows_changes():
    at = open_page({"preset": "Ring of 8: plain GAN", "target": "moons", "seed": "3", "label_smoothing": "0.1"})
    assert config(at) == BASE.replace(target="moons", seed=3, label_smoothing=0.1)
    assert not at.error and not at.warning
    assert at.query_params == {"preset": "Ring of 8: plain GAN", "target": "moons", "seed": "3",
                               "label_smoothing": "0.1"}
    at.button(key="seed_up").click().run()  # a change on the page: not overwritten by the old link
    assert config(at).seed == 4 and config(at).target == "moons"
    assert at.query_params["seed"] == "4"
    at.run()
    assert config(at).seed == 4  # the URL the page wrote itself is not "restored" again


def test_hostile_link_shows_messages_and_applies_the_sane_part():
    at = open_page({"target": "grid25", "batch_size": "1000000000", "lr_d": "nan", "evil<script>": "1",
                    "preset": "no such preset", "loss": "[x](http://example.com)"})
    c = config(at)
    assert (c.target, c.batch_size, c.lr_d, c.loss) == ("grid25", 8192, BASE.lr_d, BASE.loss)
    errors = " ".join(e.value for e in at.error)
    assert "Unknown setting\\(s\\) ignored: evil\\<script\\>" in errors
    assert "lr\\_d must be a finite number" in errors and "there is no 'no such preset'" in errors
    assert "loss must be one of" in errors and "](http" not in errors  # a crafted link stays text
    assert any("batch\\_size=1000000000 is above the largest allowed value; using 8192" in w.value for w in at.warning)
    assert at.query_params["batch_size"] == "8192" and "evil<script>" not in at.query_params


def test_preset_file_upload_applies_once_and_bad_files_change_nothing():
    at = open_page()
    good = preset_to_json(BASE.replace(target="circles", seed=9, batch_size=64), "toy_2d", "circles 64",
                          "Watch the rings.")
    at.file_uploader(key="toy_2d_share_upload").set_value(("p.json", good.encode(), "application/json")).run()
    assert not at.exception
    c = config(at)
    assert (c.target, c.seed, c.batch_size) == ("circles", 9, 64)
    assert any("Loaded circles 64" in s.value for s in at.success)
    assert any("Watch the rings" in i.value for i in at.info)
    assert at.query_params["target"] == "circles"

    for bad, phrase in ((b"{oops", "not valid JSON"),
                        (json.dumps({"format": FORMAT, "page": "mnist", "config": {}}).encode(), "saved on the page"),
                        (b"x" * 70_000, "more than 64,000")):
        at.file_uploader(key="toy_2d_share_upload").set_value(("bad.json", bad, "application/json")).run()
        assert not at.exception
        assert config(at) == c, phrase  # nothing lost
        assert any("was not applied" in e.value for e in at.error)
        assert any(phrase in e.value.replace("\\", "") for e in at.error), [e.value for e in at.error]


def test_downloaded_preset_is_the_json_of_the_current_setup(downloads):
    open_page({"seed": "5", "batch_size": "32"})
    doc = json.loads(download_bytes(downloads, ":material/download: Download preset"))
    assert doc["format"] == FORMAT and doc["page"] == "toy_2d" and doc["name"] == "test preset"
    assert (doc["config"]["seed"], doc["config"]["batch_size"], doc["config"]["g_width"]) == (5, 32, 8)
    assert doc["what_to_watch"] == "Watch *this*."
