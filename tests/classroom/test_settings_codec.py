"""classroom.settings_codec: a page's widget table writes links and presets that read back to the
same values; hostile input is clamped, snapped or refused with a message naming what happened,
never an exception, and every setting the input leaves out is at its default."""

import json
import urllib.parse

import pytest

from classroom.setting_values import FORMAT, MAX_PRESET_BYTES, MAX_QUERY_KEYS

from classroom.sharing import query_string
from classroom.settings_codec import Flag, Number, OneOf, SettingsTable, SomeOf, Whole

TABLE = SettingsTable("demo", "d", {
    "sigma": Number(0.2, 2.0, 0.05, 1.0),
    "mean": Number(-4.0, 4.0, 0.1, 0.0),
    "steps": Whole(10, 2000, 10, 500),
    "method": OneOf(("gan", "nsgan", "r1"), "gan"),
    "two": Flag(False),
    "compare": SomeOf(("gan", "nsgan", "wgan", "r1"), ("gan", "r1")),
})
DEFAULTS = {"sigma": 1.0, "mean": 0.0, "steps": 500, "method": "gan", "two": False, "compare": ["gan", "r1"]}


def texts(restored) -> str:
    return " | ".join(m.text for m in restored.messages)


# ---- the table ------------------------------------------------------------------------------------

def test_keys_defaults_and_the_default_page_has_an_empty_query():
    assert TABLE.key("sigma") == "d_sigma" and TABLE["steps"].hi == 2000
    assert TABLE.defaults() == DEFAULTS
    assert TABLE.to_query(DEFAULTS) == {} and TABLE.to_query({}) == {}
    assert TABLE.to_query(dict(DEFAULTS, compare=("gan", "r1"))) == {}  # a tuple equals the default list


def test_a_table_refuses_bounds_that_do_not_fit_together():
    with pytest.raises(ValueError, match="hi=1.03 is not lo=0.0 plus a whole number of steps of 0.05"):
        Number(0.0, 1.03, 0.05, 0.5)
    with pytest.raises(ValueError, match="default=0.52 is not a value"):
        Number(0.0, 1.0, 0.05, 0.52)
    with pytest.raises(ValueError, match="lo < hi and step > 0"):
        Whole(10, 10, 1, 10)
    with pytest.raises(ValueError, match="default='evil' is not one of"):
        OneOf(("a", "b"), "evil")
    with pytest.raises(ValueError, match="must hold no comma"):
        SomeOf(("a,b", "c"), ())


def test_nearest_clamps_and_snaps_onto_the_slider():
    sigma, steps = TABLE["sigma"], TABLE["steps"]
    assert (sigma.nearest(0.33), sigma.nearest(-3.0), sigma.nearest(7.0), sigma.nearest(1.2)) == (0.35, 0.2, 2.0, 1.2)
    assert (steps.nearest(14), steps.nearest(16), steps.nearest(5), steps.nearest(10**9)) == (10, 20, 10, 2000)
    assert isinstance(steps.nearest(16), int) and TABLE["mean"].nearest(-0.04) == 0.0  # not -0.0
    assert str(TABLE["mean"].nearest(-0.04)) == "0.0"


# ---- round trips --------------------------------------------------------------------------------

CHANGED = {"sigma": 0.35, "mean": -1.5, "steps": 200, "method": "r1", "two": True, "compare": ["wgan", "gan"]}


def test_query_holds_only_the_changed_settings_and_round_trips():
    params = TABLE.to_query(dict(DEFAULTS, steps=200, two=True))
    assert params == {"steps": "200", "two": "true"}
    params = TABLE.to_query(CHANGED)
    assert params == {"sigma": "0.35", "mean": "-1.5", "steps": "200", "method": "r1", "two": "true",
                      "compare": "wgan,gan"}
    url = query_string(params)
    assert url == "?sigma=0.35&mean=-1.5&steps=200&method=r1&two=true&compare=wgan,gan"
    parsed = urllib.parse.parse_qs(url[1:], keep_blank_values=True)  # what a browser hands back: lists
    restored = TABLE.from_query(parsed)
    assert restored.values == CHANGED and restored.messages == ()
    assert restored.taken == ("sigma", "mean", "steps", "method", "two", "compare") and restored.applies


def test_an_empty_multiselect_travels_as_an_empty_value():
    params = TABLE.to_query(dict(DEFAULTS, compare=[]))
    assert params == {"compare": ""}
    parsed = urllib.parse.parse_qs(query_string(params)[1:], keep_blank_values=True)
    assert TABLE.from_query(parsed).values == dict(DEFAULTS, compare=[])


def test_json_preset_round_trips_with_page_and_name():
    text = TABLE.to_json(CHANGED, name="my setup")
    doc = json.loads(text)
    assert doc == {"format": FORMAT, "page": "demo", "name": "my setup",
                   "settings": {"sigma": 0.35, "mean": -1.5, "steps": 200, "method": "r1", "two": True,
                                "compare": ["wgan", "gan"]}}
    restored = TABLE.from_json(text.encode())
    assert restored.values == CHANGED and restored.messages == ()
    assert restored.extras == {"page": "demo", "name": "my setup"}


def test_a_value_the_link_cannot_carry_is_left_out():
    # a choice only one tab has (its own MNIST run) and a non-finite number stay out of links and files
    values = dict(DEFAULTS, method="MNIST run of this tab", sigma=float("nan"), steps=30)
    assert TABLE.to_query(values) == {"steps": "30"}
    assert json.loads(TABLE.to_json(values))["settings"]["method"] == "gan"


def test_a_link_sets_everything_it_leaves_out_to_the_default():
    assert TABLE.from_query({"steps": "30"}).values == dict(DEFAULTS, steps=30)


# ---- hostile links --------------------------------------------------------------------------------

def test_hostile_link_is_clamped_snapped_or_refused_and_the_rest_applies():
    restored = TABLE.from_query({"evil": "1", "__class__": "x", "sigma": "0.33", "mean": "99", "steps": "many",
                                 "method": "[x](http://e.com)", "two": "yes", "compare": "r1,zzz,r1"})
    assert restored.values == {"sigma": 0.35, "mean": 4.0, "steps": 500, "method": "gan", "two": True,
                               "compare": ["r1"]}
    assert restored.errors == [
        "Unknown setting(s) ignored: evil, __class__",
        "steps must be a whole number; got 'many'; kept the default",
        "method must be one of gan, nsgan, r1; got '[x](http://e.com)'; kept the default",
        "compare: refused 'zzz' (each must be one of gan, nsgan, wgan, r1); kept the rest",
    ]
    assert restored.warnings == [
        "sigma=0.33 is between the slider's steps of 0.05; using 0.35",
        "mean=99 is above the largest allowed value; using 4",
        "compare named a choice more than once; using it once",
    ]


@pytest.mark.parametrize("key,raw,phrase", [
    ("sigma", "nan", "sigma must be a finite number; got 'nan'"),
    ("sigma", "-inf", "sigma must be a finite number; got '-inf'"),
    ("steps", "1e400", "steps must be a finite number; got '1e400'"),
    ("steps", "64.5", "steps must be a whole number; got '64.5'"),
    ("sigma", "one", "sigma must be a number; got 'one'"),
    ("two", "maybe", "two must be true or false; got 'maybe'"),
    ("method", "GAN", "method must be one of gan, nsgan, r1; got 'GAN'"),
    ("compare", "zzz,yyy", "compare: none of 'zzz', 'yyy' is one of gan, nsgan, wgan, r1"),
    ("mean", "9" * 5000, "mean: value of 5000 characters is too long"),
    ("steps", "１２０", "steps must be written with the digits 0-9 (as in 128 or 0.5); got '１２０'"),
])
def test_bad_values_are_refused_and_the_default_kept(key, raw, phrase):
    good, applied = ({"two": "true"}, {"two": True}) if key == "steps" else ({"steps": "30"}, {"steps": 30})
    restored = TABLE.from_query({key: raw, **good})
    assert restored.errors == [phrase + "; kept the default"] and restored.warnings == []
    assert restored.values == dict(DEFAULTS, **applied)  # the default kept; the good value next to it applies


def test_huge_whole_numbers_clamp_and_are_said_in_short_form():
    restored = TABLE.from_query({"steps": "1e308"})
    assert restored.values["steps"] == 2000
    assert restored.warnings == ["steps=1e+308 is above the largest allowed value; using 2000"]


def test_clamps_below_the_range_and_whole_numbers_written_as_floats():
    restored = TABLE.from_query({"sigma": "-5", "steps": "64.0"})
    assert (restored.values["sigma"], restored.values["steps"]) == (0.2, 60)
    assert restored.warnings == ["sigma=-5 is below the smallest allowed value; using 0.2",
                                 "steps=64 is between the slider's steps of 10; using 60"]


def test_oversize_links_and_repeated_keys():
    many = TABLE.from_query({f"k{i}": "1" for i in range(MAX_QUERY_KEYS + 1)})
    assert many.values == DEFAULTS and not many.applies
    assert many.errors == [f"the link carries {MAX_QUERY_KEYS + 1} settings, more than {MAX_QUERY_KEYS}; "
                           "none were applied"]
    huge = TABLE.from_query({"steps": "30", "x": "a" * 60_000})
    assert huge.values == DEFAULTS and "none were applied" in texts(huge)
    repeated = TABLE.from_query({"steps": ["30", "40"], "two": []})
    assert repeated.values == dict(DEFAULTS, steps=40)
    assert repeated.warnings == ["steps was given 2 times; using the last"]


# ---- hostile files --------------------------------------------------------------------------------

def _doc(settings=None, **top):
    return json.dumps({"format": FORMAT, "page": "demo", "settings": {} if settings is None else settings, **top})


@pytest.mark.parametrize("data,phrase", [
    ("{not json", "not valid JSON"),
    (b"\xff\xfe\x00garbage", "not valid JSON"),
    ("[" * 3000 + "]" * 3000, "not valid JSON"),  # nesting bomb under the size limit
    (" " * (MAX_PRESET_BYTES + 1), f"more than {MAX_PRESET_BYTES:,}"),
    ("[1, 2]", "not a GAN Classroom preset"),
    (_doc(page="toy_2d"), "saved on the page 'toy_2d', not on 'demo'"),
    (_doc(settings=[1]), "the preset's \"settings\" must be a JSON object"),
    (12345, "must be a JSON text file"),
])
def test_malformed_preset_files_change_nothing(data, phrase):
    restored = TABLE.from_json(data)
    assert restored.values == DEFAULTS and not restored.applies
    assert len(restored.errors) == 1 and phrase in restored.errors[0], restored.errors


def test_json_values_of_the_wrong_type_are_refused_per_value():
    doc = _doc({"sigma": "0.5", "mean": True, "steps": 30.0, "two": "true", "method": 3, "compare": "gan",
                "evil": 1}, payload="x", name=["not text"])
    restored = TABLE.from_json(doc)
    assert restored.values == dict(DEFAULTS, steps=30) and restored.applies  # 30.0 is a whole number
    assert restored.errors == [
        "Unknown setting(s) ignored: evil",
        "sigma must be a number; got '0.5'; kept the default",
        "mean must be a number; got True; kept the default",
        "two must be true or false; got 'true'; kept the default",
        "method must be one of gan, nsgan, r1; got 3; kept the default",
        "compare must be a list of choices; got 'gan'; kept the default",
    ]
    assert restored.warnings == ["ignored unknown part(s) of the file: payload",
                                 "the preset's name was not short text; left out"]
    nan = TABLE.from_json(_doc({"sigma": float("nan"), "mean": 12}))  # json writes NaN; it is refused
    assert nan.values == dict(DEFAULTS, mean=4.0)
    assert nan.errors == ["sigma must be a finite number; got nan; kept the default"]
