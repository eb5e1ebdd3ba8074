"""bench.callbacks still runs: a fraction of a second against the live test server."""

import pytest

from bench import callbacks

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_measures_callbacks_and_the_trivial_view(live_server, capsys):
    targets = callbacks.prepare(3)

    samples = callbacks.measure(live_server.url, targets, rounds=2, seconds=0.2, connections=1)
    ratio = callbacks.report(samples)

    for sample in samples.values():
        assert sample.latencies
        assert sample.errors == []
    assert ratio > 0
    out = capsys.readouterr().out
    assert "first callback rate / trivial rate" in out
    assert "storm rate / trivial rate" in out
