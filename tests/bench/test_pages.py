"""bench.pages still runs: a few tunes, the featured one with its 200 images."""

import pytest

from bench import pages

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_counts_queries_and_measures_latency(live_server, capsys):
    owner, staff = pages.create_people()
    tune = pages.create_featured(owner)
    figures = {}
    for tunes, prompts in ((2, 10), (4, 20)):
        pages.grow(owner, tunes, prompts)
        figures[f"{tunes}/{prompts}"] = (
            pages.count_queries(owner, staff, tune),
            pages.measure_latency(live_server.url, owner, staff, tune, repeats=1),
        )
    pages.report(figures)

    for queries, latencies in figures.values():
        assert set(queries) == {
            "tune list", "tune page", "admin tune list", pages.FLOOR, *pages.RENDERED
        }  # fmt: skip
        assert all(count > 0 for count in queries.values())
        # Seen again, a kept page costs the session, the user and the changes; rendered
        # afresh, its full set.
        assert queries["tune page"] == 3 < queries["tune page, rendered"]
        assert all(sample.latencies and not sample.errors for sample in latencies.values())
    out = capsys.readouterr().out
    assert "tune page / trivial view" in out
    assert "admin tune list / trivial view" in out
    assert "status fragment / trivial view" in out
    assert "tune page, rendered / trivial view" in out
