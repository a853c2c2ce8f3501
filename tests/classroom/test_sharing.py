"""classroom.sharing: query strings and JSON presets round-trip, and hostile input is clamped or
refused with a message naming what happened, never an exception."""

import json
import urllib.parse

import pytest

from classroom.config_fields import setting_bounds
from gan_core.config import FIELD_BOUNDS, MAX_BATCH, TrainConfig
from classroom.setting_values import FORMAT, MAX_PRESET_BYTES, MAX_SHARED_POINTS
from classroom.sharing import config_from_query, config_to_query, preset_from_json, preset_to_json, query_string

BASE = TrainConfig(target="ring8")


def texts(decoded) -> str:
    return " | ".join(m.text for m in decoded.messages)


# ---- encoding ------------------------------------------------------------------------------------

def test_query_holds_target_seed_and_only_the_changed_settings():
    config = BASE.replace(seed=3, label_smoothing=0.1, batch_size=64)
    params = config_to_query(config, BASE)
    assert params == {"target": "ring8", "seed": "3", "batch_size": "64", "label_smoothing": "0.1"}
    assert query_string(params) == "?target=ring8&seed=3&batch_size=64&label_smoothing=0.1"
    assert config_to_query(BASE, BASE) == {"target": "ring8", "seed": "0"}
    assert query_string({}) == ""


def test_page_level_keys_come_first_and_are_url_encoded():
    params = config_to_query(BASE, BASE, {"preset": "Ring of 8: plain GAN"})
    assert list(params) == ["preset", "target", "seed"]
    assert query_string(params) == "?preset=Ring+of+8%3A+plain+GAN&target=ring8&seed=0"


@pytest.mark.parametrize("changes", [
    dict(seed=3, label_smoothing=0.1, batch_size=64),
    dict(lr_d=2e-4, lr_g=5e-5, loss="least_squares", noise="uniform", d_steps=5, r1_gamma=0.1),
    dict(target="grid25", g_width=64, d_depth=2, pack=4, minibatch_std=True, optimizer="sgd", sgd_momentum=0.9),
    dict(target="custom", custom_points=((0.5, -0.25), (1.125, 2.0), (-1.0, 0.0))),
    dict(target="mnist", arch="dcgan", z_dim=100, g_output="tanh", g_width=32, d_width=32, d_dropout=0.3),
])
def test_query_round_trip_restores_the_same_config(changes):
    config = BASE.replace(**changes)
    url = query_string(config_to_query(config, BASE))
    parsed = urllib.parse.parse_qs(url[1:], keep_blank_values=True)  # what a browser hands back: lists
    decoded = config_from_query(parsed, BASE)
    assert decoded.messages == ()
    assert decoded.config == config


def test_json_round_trip_with_page_name_and_text():
    config = BASE.replace(target="moons", seed=7, label_smoothing=0.2, batch_size=32)
    text = preset_to_json(config, page="toy_2d", name="moons, smoothed", what_to_watch="Watch the two arcs.")
    doc = json.loads(text)
    # the file names label smoothing as the pages and links do (one table of names)
    assert doc["format"] == FORMAT and doc["page"] == "toy_2d"
    assert doc["config"]["label_smoothing"] == pytest.approx(0.2, abs=1e-12) and "real_label" not in doc["config"]
    assert "device" not in doc["config"] and "history_len" not in doc["config"]
    decoded = preset_from_json(text, BASE, page="toy_2d")
    assert decoded.messages == ()
    assert decoded.config == config
    assert decoded.extras == {"page": "toy_2d", "name": "moons, smoothed", "what_to_watch": "Watch the two arcs."}
    config2, messages = preset_from_json(text.encode(), TrainConfig(target="grid25", seed=1))  # bytes; unpacks
    assert config2 == config and messages == ()


def test_an_older_preset_file_that_says_real_label_is_still_read():
    doc = {"format": FORMAT, "page": "toy_2d", "config": {"real_label": 0.85, "seed": 4}}
    decoded = preset_from_json(json.dumps(doc), BASE, page="toy_2d")
    assert decoded.messages == ()
    assert decoded.config.real_label == pytest.approx(0.85, abs=1e-12) and decoded.config.seed == 4
    assert decoded.config.label_smoothing == pytest.approx(0.15, abs=1e-12)
    clamped = preset_from_json(json.dumps({**doc, "config": {"real_label": 0.2}}), BASE)  # below its range 0.5..1
    assert clamped.config.real_label == 0.5 and "real_label=0.2 is below the smallest" in texts(clamped)


def test_custom_points_are_rounded_to_four_decimals_in_links():
    config = BASE.replace(target="custom", custom_points=((0.123456, -1.98767),))
    params = config_to_query(config, BASE)
    assert params["custom_points"] == "0.1235,-1.9877"
    assert config_from_query(params, BASE).config.custom_points == ((0.1235, -1.9877),)


# ---- hostile and malformed query strings --------------------------------------------------------

def test_unknown_keys_are_refused_by_name_and_the_rest_applies():
    decoded = config_from_query({"seed": "3", "evil": "1", "__class__": "x"}, BASE)
    assert decoded.config == BASE.replace(seed=3)
    assert decoded.errors == ["Unknown setting(s) ignored: evil, __class__"]


def test_huge_batch_is_clamped_to_the_largest_allowed_with_a_message():
    decoded = config_from_query({"batch_size": str(10**9)}, BASE)
    assert decoded.config.batch_size == MAX_BATCH == 8192
    assert decoded.warnings == ["batch_size=1000000000 is above the largest allowed value; using 8192"]
    low = config_from_query({"batch_size": "-5", "lr_d": "1e-30", "label_smoothing": "0.9"}, BASE)
    assert (low.config.batch_size, low.config.lr_d) == (2, FIELD_BOUNDS["lr_d"][0])
    assert low.config.real_label == pytest.approx(0.5, abs=1e-12)  # smoothing clamped to 0.5
    assert len(low.warnings) == 3 and low.errors == []


@pytest.mark.parametrize("key,raw,phrase", [
    ("batch_size", "sixty-four", "batch_size must be a whole number"),
    ("batch_size", "64.5", "batch_size must be a whole number"),
    ("seed", "1e400", "seed must be a finite number"),
    ("lr_d", "nan", "lr_d must be a finite number"),
    ("lr_g", "-inf", "lr_g must be a finite number"),
    ("loss", "evil", "loss must be one of minimax"),
    ("target", "../../etc/passwd", "target must be one of"),
    ("minibatch_std", "maybe", "minibatch_std must be true or false"),
    ("seed", "9" * 5000, "seed: value of 5000 characters is too long"),
    ("custom_points", "1,2;3", "custom_points must be (x, y) pairs"),
    ("custom_points", "1,nan", "a custom point must be a finite number"),
    # float() reads these, a slider cannot be told them as typed, and a link is meant to be read back
    ("batch_size", "１２８", "batch_size must be written with the digits 0-9"),
    ("d_steps", "٣", "d_steps must be written with the digits 0-9"),
    ("batch_size", "1_000", "batch_size must be written with the digits 0-9"),
    ("custom_points", "1e300,1e300", "custom_points must lie within ±100"),
])
def test_bad_values_are_refused_and_the_base_value_kept(key, raw, phrase):
    decoded = config_from_query({key: raw, "seed": "5"} if key != "seed" else {key: raw}, BASE)
    assert len(decoded.errors) == 1 and phrase in decoded.errors[0], decoded.errors
    assert getattr(decoded.config, key) == getattr(BASE, key)
    if key != "seed":
        assert decoded.config.seed == 5  # the good value next to it still applies


def test_server_settings_cannot_come_from_a_link():
    decoded = config_from_query({"history_len": "1000000", "device": "cuda:0", "snapshots_kept": "100"}, BASE)
    assert decoded.config == BASE
    assert len(decoded.errors) == 3 and all("server setting" in e for e in decoded.errors)


def test_too_many_points_and_oversize_queries_are_refused_whole():
    points = ";".join(["0.1,0.2"] * (MAX_SHARED_POINTS + 1))
    decoded = config_from_query({"target": "custom", "custom_points": points}, BASE)
    assert decoded.config.target == "ring8" and decoded.config.custom_points == ()
    assert any(f"more than {MAX_SHARED_POINTS} points" in e for e in decoded.errors)
    assert any("target=" in e and "custom_points must hold at least one" in e for e in decoded.errors)
    ok = config_from_query({"target": "custom", "custom_points": ";".join(["0.1,0.2"] * MAX_SHARED_POINTS)}, BASE)
    assert len(ok.config.custom_points) == MAX_SHARED_POINTS and ok.messages == ()
    huge = config_from_query({"seed": "1", "x": "a" * 60_000}, BASE)
    assert huge.config == BASE and "none were applied" in texts(huge)
    many = config_from_query({f"k{i}": "1" for i in range(200)}, BASE)
    assert many.config == BASE and "200 settings" in texts(many)


def test_clashing_values_are_refused_one_by_one_in_any_order():
    # batch 100 is not a multiple of pack 8: the value listed first wins, the other is refused
    decoded = config_from_query({"pack": "8", "batch_size": "100"}, BASE)
    assert (decoded.config.batch_size, decoded.config.pack) == (256, 8)
    assert decoded.errors == ["batch_size='100' was refused: batch_size 100 must be a multiple of pack 8"]
    decoded = config_from_query({"batch_size": "100", "pack": "8"}, BASE)
    assert (decoded.config.batch_size, decoded.config.pack) == (100, 1)
    assert decoded.errors == ["pack='8' was refused: batch_size 100 must be a multiple of pack 8"]
    # dcgan needs mnist: listed before the target, it still applies once the target has
    decoded = config_from_query({"arch": "dcgan", "target": "mnist", "z_dim": "100"}, BASE)
    assert (decoded.config.arch, decoded.config.target) == ("dcgan", "mnist") and decoded.messages == ()


def test_repeated_keys_use_the_last_value_and_say_so():
    decoded = config_from_query({"seed": ["1", "2"], "batch_size": []}, BASE)
    assert decoded.config.seed == 2 and decoded.warnings == ["seed was given 2 times; using the last"]


def test_page_level_keys_are_checked_against_their_allowed_values():
    spec = {"preset": ("Ring of 8: plain GAN",)}
    good = config_from_query({"preset": "Ring of 8: plain GAN"}, BASE, extras=spec)
    assert good.extras == {"preset": "Ring of 8: plain GAN"} and good.messages == ()
    bad = config_from_query({"preset": "nope"}, BASE, extras=spec)
    assert bad.extras == {} and bad.errors == ["preset: there is no 'nope' on this page"]
    assert "Unknown setting(s) ignored: preset" in texts(config_from_query({"preset": "x"}, BASE, extras={}))


def test_a_link_cannot_ask_for_a_gigantic_network():
    decoded = config_from_query({"g_width": "2048", "g_depth": "8", "d_width": "2048", "d_depth": "8",
                                 "seed": "4"}, BASE)
    assert (decoded.config.g_width, decoded.config.g_depth, decoded.config.d_width) == (128, 3, 128)
    assert decoded.config.seed == 4
    assert "kept the page's g_depth, g_width, d_depth, d_width" in decoded.errors[0]


def test_huge_numbers_are_clamped_and_said_in_short_form():
    decoded = config_from_query({"batch_size": "1e308", "seed": "1e20", "lr_d": "1e308"}, BASE)
    assert (decoded.config.batch_size, decoded.config.seed, decoded.config.lr_d) == (8192, 2**31 - 1, 1.0)
    assert decoded.warnings == ["batch_size=1e+308 is above the largest allowed value; using 8192",
                                "seed=1e+20 is above the largest allowed value; using 2147483647",
                                "lr_d=1e+308 is above the largest allowed value; using 1"]


def test_setting_bounds_are_the_config_table_and_the_smoothing_alias():
    assert setting_bounds("d_steps") == (1, 50)
    assert setting_bounds("g_width") == (1, 2048)
    assert setting_bounds("label_smoothing") == (0.0, 0.5)


# ---- hostile and malformed JSON ------------------------------------------------------------------

def _doc(config=None, **top):
    return json.dumps({"format": FORMAT, "page": "toy_2d", "config": config or {}, **top})


@pytest.mark.parametrize("data,phrase", [
    ("{not json", "not valid JSON"),
    (b"\xff\xfe\x00garbage", "not valid JSON"),
    ("[" * 40_000 + "]" * 40_000, "more than"),  # oversize: refused before parsing
    ("[" * 3000 + "]" * 3000, "not valid JSON"),  # nesting bomb under the size limit
    ("[1, 2, 3]", "not a GAN Classroom preset"),
    (json.dumps({"format": "other/1", "config": {}}), "not a GAN Classroom preset"),
    (_doc(page="mnist"), "saved on the page 'mnist'"),
    (_doc(config=[1, 2]), "\"config\" must be a JSON object"),
    (" " * (MAX_PRESET_BYTES + 1), "more than"),
    (12345, "must be a JSON text file"),
])
def test_malformed_preset_files_change_nothing(data, phrase):
    decoded = preset_from_json(data, BASE, page="toy_2d")
    assert decoded.config == BASE
    assert len(decoded.errors) == 1 and phrase in decoded.errors[0], decoded.errors


def test_json_values_of_the_wrong_type_are_refused_per_value():
    doc = _doc({"batch_size": "64", "seed": True, "lr_d": [1], "label_smoothing": 0.1, "minibatch_std": "true",
                "d_steps": 3.0, "lr_g": 5, "gp_weight": float("inf")})
    decoded = preset_from_json(doc, BASE, page="toy_2d")
    c = decoded.config
    assert (c.batch_size, c.seed, c.lr_d, c.minibatch_std) == (256, 0, 1e-3, False)  # refused, base kept
    assert c.real_label == pytest.approx(0.9) and c.d_steps == 3  # 3.0 is a whole number
    assert c.lr_g == 1.0  # 5 clamped to the largest learning rate
    assert c.gp_weight == 10.0
    assert len(decoded.errors) == 5 and decoded.warnings == ["lr_g=5 is above the largest allowed value; using 1"]
    assert any("gp_weight must be a finite number" in e for e in decoded.errors)


def test_json_points_limit_and_unknown_parts():
    many = _doc({"target": "custom", "custom_points": [[0, 0]] * (MAX_SHARED_POINTS + 1)})
    decoded = preset_from_json(many, BASE)
    assert decoded.config.target == "ring8" and any(f"the limit is {MAX_SHARED_POINTS}" in e for e in decoded.errors)
    extra = preset_from_json(_doc({"seed": 2}, payload="x", what_to_watch=["not", "text"]), BASE)
    assert extra.config.seed == 2
    assert extra.warnings == ["ignored unknown part(s) of the file: payload",
                              "the preset's what_to_watch was not short text; left out"]
