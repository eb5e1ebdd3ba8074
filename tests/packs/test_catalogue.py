"""Staff's packs: read from Astria (own and gallery), covers kept, staff's choices kept."""

import pytest

from astria_portal import astria
from packs import catalogue
from packs.models import Pack
from tests.helpers import drain_queue


@pytest.mark.django_db
def test_refresh_reads_own_and_gallery_packs_with_details(emulator):
    result = catalogue.refresh()
    assert result.startswith("3 packs")
    packs = {pack.remote_id: pack for pack in Pack.objects.all()}
    assert set(packs) == {260, 262, 301}
    headshots = packs[260]
    assert headshots.source == Pack.Source.GALLERY
    assert packs[301].source == Pack.Source.OWN
    assert headshots.slug == "corporate-headshots"
    assert headshots.title == "Corporate Headshots"
    assert headshots.classes == {
        "woman": {"prompts": 3, "images": 6},
        "man": {"prompts": 3, "images": 6},
    }
    assert (headshots.prompt_count, headshots.images_per_prompt) == (3, 2)
    # Staff's cost defaults to prompts × images per prompt.
    assert headshots.cost == 6
    assert headshots.model_kind == "flux-lora"
    assert packs[301].model_kind == "sd15"
    assert not headshots.enabled
    # Every call went to Astria: both lists, then each pack's detail.
    for path in ("/packs", "/gallery/packs", "/p/260", "/p/262", "/p/301"):
        assert len(emulator.requests("GET", path)) == 1, path


@pytest.mark.django_db
def test_covers_are_kept_locally_once_per_url(emulator):
    catalogue.refresh()
    pack = Pack.objects.get(remote_id=260)
    assert pack.cover and pack.cover_source == pack.cover_url
    with pack.cover.open("rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    kept = pack.cover.name
    catalogue.refresh()
    pack.refresh_from_db()
    assert pack.cover.name == kept  # the same URL is not downloaded again


@pytest.mark.django_db
def test_staff_choices_survive_a_refresh_and_a_pack_astria_drops_is_not_offered(emulator):
    catalogue.refresh()
    Pack.objects.filter(remote_id=260).update(
        enabled=True, name="Office portraits", description="For your CV.", images_cost=4
    )
    Pack.objects.create(remote_id=999, title="Gone", enabled=True, classes={"man": {}})
    catalogue.refresh()
    pack = Pack.objects.get(remote_id=260)
    assert (pack.enabled, pack.name, pack.description, pack.cost) == (
        True,
        "Office portraits",
        "For your CV.",
        4,
    )
    gone = Pack.objects.get(remote_id=999)
    assert gone.missing_since is not None and not gone.is_offered


@pytest.mark.django_db
def test_a_failed_list_changes_nothing(emulator):
    catalogue.refresh()
    emulator.fault("GET", "/gallery/packs", status=500, times=5)
    with pytest.raises(astria.RetryLater):
        catalogue.refresh()
    assert Pack.objects.filter(missing_since__isnull=False).count() == 0


@pytest.mark.django_db
def test_admin_refreshes_in_the_background_and_edits_a_pack(client, staff, emulator):
    client.force_login(staff)
    response = client.post("/admin/packs/pack/refresh/")
    assert response.status_code == 302
    assert Pack.objects.count() == 0  # a task, not the request, calls Astria
    drain_queue()
    assert Pack.objects.count() == 3

    page = client.get("/admin/packs/pack/")
    assert b"Refresh from Astria" in page.content and b"Corporate Headshots" in page.content
    pack = Pack.objects.get(remote_id=262)
    data = {"enabled": "on", "name": "Dates", "description": "Warm and candid.", "images_cost": 3}
    response = client.post(f"/admin/packs/pack/{pack.pk}/change/", data)
    assert response.status_code == 302, response.content[:2000]
    pack.refresh_from_db()
    assert (pack.enabled, pack.name, pack.cost) == (True, "Dates", 3)

    ids = list(Pack.objects.values_list("pk", flat=True))
    client.post("/admin/packs/pack/", {"action": "disable", "_selected_action": ids})
    assert not Pack.objects.filter(enabled=True).exists()


@pytest.mark.django_db
def test_only_staff_see_the_admin_pages(owner_client):
    assert owner_client.post("/admin/packs/pack/refresh/").status_code == 302
    assert owner_client.get("/admin/packs/pack/").status_code == 302
