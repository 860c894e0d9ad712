"""History: the person's designs, newest first, a page at a time, filtered by status and style."""
from __future__ import annotations

from designs.models import Status
from designs.views import HISTORY_PAGE_SIZE
from tests.dashboard.conftest import make_design


def test_it_lists_designs_with_thumbnails_status_and_style(alice_client, alice, bob):
    done = make_design(owner=alice, status=Status.COMPLETED, style="boho", results=1)
    running = make_design(owner=alice, status=Status.GENERATING, style="industrial")
    bobs = make_design(owner=bob, style="coastal")
    page = alice_client.get("/designs/").content.decode()
    assert f"/designs/{done.id}/" in page and f"/designs/{running.id}/" in page
    assert str(bobs.id) not in page
    assert "status-completed" in page and "status-generating" in page
    assert "Boho" in page and "Industrial" in page
    assert page.index(str(running.id)) < page.index(str(done.id))  # newest first


def test_it_filters_by_status_and_style(alice_client, alice):
    boho = make_design(owner=alice, status=Status.COMPLETED, style="boho", results=1)
    failed = make_design(owner=alice, status=Status.FAILED, style="boho")
    other = make_design(owner=alice, status=Status.COMPLETED, style="rustic", results=1)
    page = alice_client.get("/designs/", {"status": "completed", "style": "boho"}).content.decode()
    assert str(boho.id) in page and str(failed.id) not in page and str(other.id) not in page
    running = alice_client.get("/designs/", {"status": "queued,analyzing,detecting,generating,transforming,finalizing"})
    assert "No designs match these filters" in running.content.decode()


def test_it_refuses_filters_it_does_not_know_and_shows_everything(alice_client, alice):
    design = make_design(owner=alice)
    for query, field in (({"status": "'; drop"}, "status"), ({"style": "nope"}, "style"),
                         ({"status": ",".join(["queued"] * 5000)}, "status")):
        response = alice_client.get("/designs/", query)
        page = response.content.decode()
        assert response.status_code == 400, query
        assert f"{field} filter ignored" in page
        assert str(design.id) in page  # the unfiltered history, not an error page


def test_it_pages_through_many_designs(alice_client, alice):
    designs = [make_design(owner=alice) for _ in range(HISTORY_PAGE_SIZE + 2)]
    first = alice_client.get("/designs/").content.decode()
    second = alice_client.get("/designs/", {"page": 2}).content.decode()
    assert "Page 1 of 2" in first and 'rel="next"' in first
    assert sum(str(d.id) in first for d in designs) == HISTORY_PAGE_SIZE
    assert sum(str(d.id) in second for d in designs) == 2
    assert alice_client.get("/designs/", {"page": 99}).status_code == 200  # past the end: the last page


def test_it_keeps_the_filters_when_paging(alice_client, alice):
    for _ in range(HISTORY_PAGE_SIZE + 1):
        make_design(owner=alice, style="boho")
    page = alice_client.get("/designs/", {"style": "boho"}).content.decode()
    assert 'href="?style=boho&amp;page=2"' in page


def test_it_invites_a_first_design_when_there_is_none(alice_client):
    assert "No designs yet" in alice_client.get("/designs/").content.decode()
