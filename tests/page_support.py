"""AppTest helpers shared by the page tests: the big numbers of ui.readout (an HTML block, not
st.metric) read back as {label: value}."""

import html
import re

_ITEM = re.compile(r'<span class="gc-label">(.*?)</span><span class="gc-value">(.*?)</span>')


def readout_values(at) -> dict[str, str]:
    values = {}
    for element in at.get("html"):
        for label, value in _ITEM.findall(element.value):
            values[html.unescape(label)] = html.unescape(value)
    return values


def readout_value(at, label: str) -> str:
    values = readout_values(at)
    assert label in values, f"no big number {label!r} on the page (have {sorted(values)})"
    return values[label]
