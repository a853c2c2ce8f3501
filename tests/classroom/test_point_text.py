"""Draw-your-own points are measured before they are parsed (issue 20, 3.7: a 40 MB points CSV
took the web server from 472 to 1,521 MiB): a text or file over MAX_TEXT_BYTES or MAX_LINES is
refused in words before it is decoded or split, and the largest legitimate input still parses."""

import time

import pytest

from classroom.point_text import MAX_LINES, MAX_TEXT_BYTES, decode_upload, parse_points


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def test_the_largest_legitimate_file_parses():
    # 5,000 points (TrainConfig's limit) at 20 characters each plus a header: 105,004 bytes
    text = "x,y\n" + "\n".join("-12.345678,98.765432" for _ in range(5000))
    assert len(text) == 4 + 5000 * 21 - 1 < MAX_TEXT_BYTES
    assert len(parse_points(decode_upload(text.encode()))) == 5000


def test_a_40_mb_csv_is_refused_before_it_is_decoded_or_split():
    data = b"0.5,0.5\n" * 5_000_000  # 40,000,000 bytes of valid-looking points
    assert len(data) == 40_000_000
    before, start = rss_bytes(), time.perf_counter()
    with pytest.raises(ValueError, match="the points are 40,000,000 bytes long, more than the 256,000"):
        decode_upload(data)
    assert time.perf_counter() - start < 1.0
    assert rss_bytes() - before < 5 * 2**20  # decoding alone would add 40 MB of text, splitting ~300 MB more
    text = data.decode("ascii")  # the same points typed or pasted (this decode is the test's own)
    before = rss_bytes()
    with pytest.raises(ValueError, match="the points are 40,000,000 characters long"):
        parse_points(text)
    assert rss_bytes() - before < 5 * 2**20


def test_too_many_lines_are_refused_by_count_within_the_byte_limit():
    text = "\n".join(["1,1"] * (MAX_LINES + 1))  # 40 kB: small, but more lines than 5,000 points need
    assert len(text) < MAX_TEXT_BYTES
    with pytest.raises(ValueError, match="the points take 10,001 lines, more than 10,000"):
        parse_points(text)
    with pytest.raises(ValueError, match="10,001 lines"):
        decode_upload(text.encode())
