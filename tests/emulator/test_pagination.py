"""List endpoints: id descending, limit, offset, before_id, empty array at the end (§10)."""

from .conftest import IMAGE_URLS


def make_tunes(api, count):
    ids = []
    for n in range(count):
        body = {"tune": {"title": f"t{n}", "name": "man", "image_urls": IMAGE_URLS}}
        response = api.post("/tunes", json=body)
        assert response.status_code == 201
        ids.append(response.json()["id"])
    return ids


def ids(response):
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()]


def test_an_empty_account_lists_nothing_and_hides_the_gallery(api):
    assert api.get("/tunes").json() == []
    assert api.get("/tunes/1504944").json()["title"] == "Flux.1 dev"
    assert api.get("/tunes/690204").status_code == 200
    assert api.get("/tunes/666678").status_code == 200


def test_limit_defaults_to_20_newest_first(api):
    created = make_tunes(api, 25)

    assert ids(api.get("/tunes")) == created[::-1][:20]


def test_limit_is_capped_at_120(api):
    created = make_tunes(api, 125)

    assert ids(api.get("/tunes", params={"limit": 500})) == created[::-1][:120]
    assert ids(api.get("/tunes", params={"limit": 3})) == created[::-1][:3]


def test_offset_pages_and_the_end_is_an_empty_array(api):
    created = make_tunes(api, 5)[::-1]

    assert ids(api.get("/tunes", params={"limit": 2, "offset": 2})) == created[2:4]
    assert ids(api.get("/tunes", params={"limit": 2, "offset": 4})) == created[4:]
    assert api.get("/tunes", params={"offset": 5}).json() == []


def test_offset_over_200_on_tunes_is_400_pointing_to_before_id(api):
    assert api.get("/tunes", params={"offset": 200}).status_code == 200

    response = api.get("/tunes", params={"offset": 201})

    assert response.status_code == 400
    assert "before_id" in response.json()["error"]


def test_before_id_walks_every_page(api):
    created = make_tunes(api, 7)[::-1]

    seen, before_id = [], None
    while True:
        params = {"limit": 3} if before_id is None else {"limit": 3, "before_id": before_id}
        page = ids(api.get("/tunes", params=params))
        if not page:
            break
        seen += page
        before_id = page[-1]

    assert seen == created


def test_a_bad_number_is_400(api):
    assert api.get("/tunes", params={"limit": "x"}).status_code == 400
    assert api.get("/prompts", params={"before_id": "x"}).status_code == 400


def test_prompt_lists_page_the_same_way_with_a_deeper_offset(api):
    tune = api.new_tune()
    created = [api.new_prompt(tune["id"], seed=n)["id"] for n in range(5)][::-1]

    assert ids(api.get(f"/tunes/{tune['id']}/prompts", params={"limit": 2})) == created[:2]
    assert ids(api.get("/prompts", params={"before_id": created[1]})) == created[2:]
    assert api.get("/prompts", params={"offset": 10_000}).json() == []
    assert api.get("/prompts", params={"offset": 10_001}).status_code == 400
    assert api.get(f"/tunes/{tune['id']}/prompts", params={"offset": 10_001}).status_code == 400


def test_prompts_lists_every_tune_and_tune_prompts_only_its_own(api):
    first, second = api.new_tune(), api.new_tune()
    a = api.new_prompt(first["id"])["id"]
    b = api.new_prompt(second["id"])["id"]

    assert ids(api.get("/prompts")) == [b, a]
    assert ids(api.get(f"/tunes/{first['id']}/prompts")) == [a]
    assert ids(api.get("/prompts", params={"tune_id": second["id"]})) == [b]


def test_the_title_filter_finds_a_tune(api):
    make_tunes(api, 3)

    assert [t["title"] for t in api.get("/tunes", params={"title": "t1"}).json()] == ["t1"]
