"""classroom.class_push: a class is given a preset by name or a preset file saved on the 2D lab or
side by side, both kept as the preset file the one codec writes; each student reads back exactly
the setup the teacher gave, and a file the codec or the class cannot take is refused in words."""

import dataclasses
import json

import pytest

from class_support import ADA, RING, TEACHER
from classroom.class_push import FILE_NAME, file_push
from classroom.classes import ClassError
from classroom.setting_values import FORMAT
from classroom.sharing import preset_to_json
from gan_core.config import MAX_BATCH, TrainConfig

SETUP = TrainConfig(target="grid25", batch_size=128, real_label=0.9, lr_d=2e-4, minibatch_std=True, seed=7)


def class_with_ada(classes) -> str:
    code = classes.start_class(TEACHER, preset=RING).code
    classes.join(code, ADA, "Ada")
    return code


def test_a_preset_file_reaches_every_student_as_the_setup_it_holds(classes):
    class_with_ada(classes)
    data = preset_to_json(SETUP, page="toy_2d", name="Monday's grid", what_to_watch="Count the modes.")
    info, notes = classes.push_file(TEACHER, data.encode())
    assert (info.preset, info.preset_version, notes) == ("Monday's grid", 2, ())
    version, name, config = classes.pending_preset(ADA, 1)
    assert (version, name) == (2, "Monday's grid")
    differing = [f.name for f in dataclasses.fields(TrainConfig) if getattr(config, f.name) != getattr(SETUP, f.name)]
    assert differing == []
    assert classes.gallery(TEACHER) == []  # no run yet; the class now compares runs with this setup


def test_a_side_by_side_file_is_taken_and_one_without_a_name_is_named_for_the_students(classes):
    class_with_ada(classes)
    doc = json.loads(preset_to_json(SETUP, page="side_by_side"))
    doc["name"] = "  "
    info, _ = classes.push_file(TEACHER, json.dumps(doc))
    assert info.preset == FILE_NAME and classes.pending_preset(ADA, 1)[2].target == "grid25"


def test_values_clamped_into_range_are_pushed_and_said(classes):
    class_with_ada(classes)
    doc = {"format": FORMAT, "page": "toy_2d", "name": "big", "config": {"target": "ring8", "batch_size": 10**6}}
    info, notes = classes.push_file(TEACHER, json.dumps(doc))
    assert classes.pending_preset(ADA, 1)[2].batch_size == MAX_BATCH
    assert len(notes) == 1 and f"batch_size=1000000 is above the largest allowed value; using {MAX_BATCH}" in notes[0]


@pytest.mark.parametrize("data, words", [
    (b"{not json", "not valid JSON"),
    (json.dumps({"format": FORMAT, "page": "toy_2d", "config": {"loss": "nonsense", "seed": 3}}),
     "loss must be one of"),
    (json.dumps({"format": FORMAT, "page": "toy_2d", "config": {"colour": "red"}}),
     "Unknown setting(s) ignored: colour"),
    (preset_to_json(TrainConfig(target="mnist", arch="dcgan", z_dim=100, g_output="tanh"), page="mnist"),
     "saved on the page 'mnist'"),
    (preset_to_json(TrainConfig(target="gaussian_1d", z_dim=1), page="toy_2d"), "trains 'gaussian_1d'"),
])
def test_a_file_the_class_cannot_take_is_refused_in_words_and_the_class_keeps_its_setup(classes, data, words):
    class_with_ada(classes)
    with pytest.raises(ClassError) as refused:
        classes.push_file(TEACHER, data)
    assert words in str(refused.value)
    assert classes.teaching(TEACHER).preset_version == 1 and classes.pending_preset(ADA, 1) is None


def test_only_the_teacher_pushes_a_file(classes):
    class_with_ada(classes)
    with pytest.raises(ClassError, match="only the teacher"):
        classes.push_file(ADA, preset_to_json(SETUP, page="toy_2d"))
    with pytest.raises(ClassError, match="not valid JSON"):  # the file alone, outside any class
        file_push("{")
