
from streamlit.testing.v1 import AppTest
from page_support import APP


def test_home_renders_and_log_loss_follows_slider():
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert at.title[0].value == "GAN Classroom"
    at.slider(key="home_p").set_value(0.5).run()
    assert not at.exception
    # -log(0.5) = 0.693 nats, the penalty for an undecided D on a real sample
    assert any(m.value == "0.693 nats" for m in at.metric)
