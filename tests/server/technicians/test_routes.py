"""Skills and technicians over HTTP: shapes, validation, atomic creation, filters and roles."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import func, select

from server.auth.models import User
from server.technicians.models import Technician
from tests.factories import bearer, make_skill, make_technician, make_user

SKILLS = "/api/v1/skills"
TECHNICIANS = "/api/v1/technicians"
READERS = ["admin", "dispatcher", "agent", "manager", "warehouse"]
WRITERS = ["admin", "dispatcher"]
HOME = {"lat": 31.2304, "lon": 121.4737}
BAD_RANGE = 'A range is ["HH:MM", "HH:MM"], e.g. ["08:00", "17:00"].'
BAD_WEEK = "Working hours list [start, end] ranges per weekday (mon to sun), at most 6 a day."


@pytest.fixture
def dispatcher(session, app):
    return bearer(app, make_user(session, role="dispatcher"))


@pytest.fixture
def dispatcher_en(session, app):
    return bearer(app, make_user(session, role="dispatcher"), **{"Accept-Language": "en"})


def new_user(**fields):
    body = {
        "name": "张师傅",
        "email": "zhang.shifu@example.test",
        "phone": "13911112222",
        "password": "a long password",
    }
    body.update(fields)
    return body


def count(session, model):
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


# --- skills -------------------------------------------------------------------------------


def test_admin_adds_a_skill_with_names_in_both_languages(client, session, app):
    admin = bearer(app, make_user(session, role="admin"))
    response = client.post(
        SKILLS, json={"code": "hvac", "name": {"zh-CN": "暖通空调", "en": "HVAC"}}, headers=admin
    )
    assert response.status_code == 201
    assert response.json == {
        "code": "hvac",
        "name": {"zh-CN": "暖通空调", "en": "HVAC"},
        "active": True,
    }
    renamed = client.patch(
        f"{SKILLS}/hvac", json={"name": {"en": "Heating & cooling"}, "active": False}, headers=admin
    )
    assert renamed.status_code == 200
    assert renamed.json == {
        "code": "hvac",
        "name": {"zh-CN": "暖通空调", "en": "Heating & cooling"},
        "active": False,
    }


def test_any_signed_in_user_reads_the_catalogue(client, session, app):
    make_skill(session, code="electrical")
    make_skill(session, code="retired", active=False)
    technician = bearer(app, make_user(session, role="technician"))
    response = client.get(SKILLS, headers=technician)
    assert response.status_code == 200
    assert [s["code"] for s in response.json] == ["electrical", "retired"]
    assert "X-Pagination" in response.headers
    active = client.get(f"{SKILLS}?active=true", headers=technician)
    assert [s["code"] for s in active.json] == ["electrical"]
    assert client.get(f"{SKILLS}/electrical", headers=technician).status_code == 200
    assert client.get(f"{SKILLS}/nope", headers=technician).status_code == 404
    assert client.get(SKILLS).status_code == 401


@pytest.mark.parametrize("role", ["dispatcher", "agent", "manager", "warehouse", "technician"])
def test_only_admin_changes_the_catalogue(client, session, app, role):
    make_skill(session, code="plumbing")
    headers = bearer(app, make_user(session, role=role))
    body = {"code": "x", "name": {"zh-CN": "某", "en": "X"}}
    assert client.post(SKILLS, json=body, headers=headers).status_code == 403
    assert (
        client.patch(f"{SKILLS}/plumbing", json={"active": False}, headers=headers).status_code
        == 403
    )


def test_skill_code_is_a_unique_slug(client, session, app):
    make_skill(session, code="hvac")
    admin = bearer(app, make_user(session, role="admin"), **{"Accept-Language": "en"})
    taken = client.post(
        SKILLS, json={"code": "hvac", "name": {"zh-CN": "a", "en": "a"}}, headers=admin
    )
    assert taken.status_code == 422
    assert taken.json["errors"]["json"] == {"code": ["This value is already in use."]}
    bad = client.post(SKILLS, json={"code": "HV AC", "name": {"zh-CN": "a"}}, headers=admin)
    assert bad.status_code == 422
    errors = bad.json["errors"]["json"]
    assert errors["code"][0].startswith("A skill code starts with a lowercase letter")
    assert errors["name"] == {"en": ["Missing data for required field."]}


def test_skill_code_cannot_be_changed(client, session, app):
    make_skill(session, code="hvac")
    admin = bearer(app, make_user(session, role="admin"))
    response = client.patch(f"{SKILLS}/hvac", json={"code": "other"}, headers=admin)
    assert response.status_code == 422
    assert response.json["errors"]["json"] == {"code": ["未知字段。"]}


# --- creating technicians -----------------------------------------------------------------


def test_create_technician_with_a_new_user(client, session, dispatcher):
    make_skill(session, code="hvac")
    make_skill(session, code="electrical")
    response = client.post(
        TECHNICIANS,
        json={
            "user": new_user(),
            "skills": [{"code": "hvac", "level": 4}, {"code": "electrical", "level": 2}],
            "home": HOME,
            "working_hours": {"mon": [["13:00", "17:00"], ["08:00", "12:00"]], "sat": []},
            "max_jobs_per_day": 6,
        },
        headers=dispatcher,
    )
    assert response.status_code == 201
    body = response.json
    assert set(body) >= {
        "id",
        "user",
        "skills",
        "home",
        "working_hours",
        "max_jobs_per_day",
        "active",
        "status",
    }
    assert set(body["user"]) == {"id", "name", "email", "phone"}
    assert body["user"]["email"] == "zhang.shifu@example.test"
    assert body["skills"] == [{"code": "electrical", "level": 2}, {"code": "hvac", "level": 4}]
    assert body["home"] == HOME
    # Sorted, and every day present.
    assert body["working_hours"]["mon"] == [["08:00", "12:00"], ["13:00", "17:00"]]
    assert body["working_hours"]["tue"] == []
    assert set(body["working_hours"]) == {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
    assert body["max_jobs_per_day"] == 6
    assert body["active"] is True
    assert body["status"] == "off_duty"
    assert body["last_position"] is None

    account = session.get(User, uuid.UUID(body["user"]["id"]))
    assert account.role == "technician"
    login = client.post(
        "/api/v1/auth/login",
        json={"login": "zhang.shifu@example.test", "password": "a long password"},
    )
    assert login.status_code == 200
    assert client.get(f"{TECHNICIANS}/{body['id']}", headers=dispatcher).json == body


def test_create_technician_defaults(client, session, dispatcher):
    user = make_user(session, role="technician")
    response = client.post(
        TECHNICIANS, json={"user_id": str(user.id), "home": HOME}, headers=dispatcher
    )
    assert response.status_code == 201
    body = response.json
    assert body["user"]["id"] == str(user.id)
    assert body["skills"] == []
    assert body["max_jobs_per_day"] == 8
    assert body["working_hours"]["mon"] == [["09:00", "18:00"]]
    assert body["working_hours"]["sun"] == []


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("missing", "There is no such user."),
        ("dispatcher", "This user does not have the technician role."),
        ("taken", "This user already has a technician profile."),
    ],
)
def test_create_technician_for_an_unfit_user_is_422_on_user_id(
    client, session, dispatcher_en, setup, message
):
    if setup == "missing":
        user_id = uuid.uuid4()
    elif setup == "dispatcher":
        user_id = make_user(session, role="dispatcher").id
    else:
        user_id = make_technician(session).user_id
    response = client.post(
        TECHNICIANS, json={"user_id": str(user_id), "home": HOME}, headers=dispatcher_en
    )
    assert response.status_code == 422
    assert response.json["errors"]["json"] == {"user_id": [message]}


@pytest.mark.parametrize("both", [True, False])
def test_create_technician_needs_exactly_one_of_user_id_and_user(client, session, dispatcher, both):
    body = {"home": HOME}
    if both:
        body.update(user_id=str(make_user(session, role="technician").id), user=new_user())
    response = client.post(TECHNICIANS, json=body, headers=dispatcher)
    assert response.status_code == 422
    errors = response.json["errors"]["json"]
    assert (
        errors["user_id"]
        == errors["user"]
        == ["请提供 user_id（已有用户）或 user（新用户）中的一个。"]
    )


def test_duplicate_email_for_the_new_user_writes_nothing(client, session, dispatcher_en):
    make_user(session, email="taken@example.test")
    users, technicians = count(session, User), count(session, Technician)
    response = client.post(
        TECHNICIANS,
        json={"user": new_user(email="Taken@Example.test"), "home": HOME},
        headers=dispatcher_en,
    )
    assert response.status_code == 422
    assert response.json["errors"]["json"] == {"user": {"email": ["This email is already in use."]}}
    assert count(session, User) == users
    assert count(session, Technician) == technicians


def test_unknown_skill_with_a_new_user_leaves_no_user_behind(client, session, dispatcher):
    make_skill(session, code="hvac")
    users = count(session, User)
    response = client.post(
        TECHNICIANS,
        json={
            "user": new_user(email="fresh@example.test"),
            "home": HOME,
            "skills": [{"code": "hvac", "level": 3}, {"code": "welding", "level": 2}],
        },
        headers=dispatcher,
    )
    assert response.status_code == 422
    assert response.json["errors"]["json"] == {"skills": {"1": {"code": ["技能不存在。"]}}}
    assert count(session, User) == users
    assert session.scalar(select(User).where(User.email == "fresh@example.test")) is None


def test_all_refusals_are_reported_together(client, session, dispatcher_en):
    make_user(session, email="taken@example.test")
    response = client.post(
        TECHNICIANS,
        json={
            "user": new_user(email="taken@example.test"),
            "home": HOME,
            "skills": [{"code": "nope", "level": 1}],
        },
        headers=dispatcher_en,
    )
    assert response.status_code == 422
    errors = response.json["errors"]["json"]
    assert errors["user"] == {"email": ["This email is already in use."]}
    assert errors["skills"] == {"0": {"code": ["There is no such skill."]}}


def test_skill_items_are_validated_per_item(client, session, dispatcher_en):
    make_skill(session, code="hvac")
    make_skill(session, code="old", active=False)
    user = make_user(session, role="technician")
    response = client.post(
        TECHNICIANS,
        json={
            "user_id": str(user.id),
            "home": HOME,
            "skills": [
                {"code": "hvac", "level": 3},
                {"code": "hvac", "level": 4},
                {"code": "old", "level": 2},
            ],
        },
        headers=dispatcher_en,
    )
    assert response.status_code == 422
    assert response.json["errors"]["json"]["skills"] == {
        "1": {"code": ["This skill is listed twice."]},
        "2": {"code": ["This skill is retired and cannot be given any more."]},
    }
    levels = client.post(
        TECHNICIANS,
        json={"user_id": str(user.id), "home": HOME, "skills": [{"code": "hvac", "level": 6}]},
        headers=dispatcher_en,
    )
    assert levels.status_code == 422
    assert levels.json["errors"]["json"]["skills"] == {
        "0": {"level": ["Must be greater than or equal to 1 and less than or equal to 5."]}
    }


@pytest.mark.parametrize(
    ("hours", "errors"),
    [
        ({"mon": [["8:00", "17:00"]]}, {"mon": {"0": [BAD_RANGE]}}),
        ({"mon": [["08:00", "24:30"]]}, {"mon": {"0": [BAD_RANGE]}}),
        ({"tue": [["08:00"]]}, {"tue": {"0": [BAD_RANGE]}}),
        ({"wed": [["17:00", "08:00"]]}, {"wed": {"0": ["A range must end after it starts."]}}),
        ({"thu": [["12:00", "12:00"]]}, {"thu": {"0": ["A range must end after it starts."]}}),
        (
            {"fri": [["08:00", "12:30"], ["12:00", "17:00"]]},
            {"fri": ["Ranges on the same day must not overlap."]},
        ),
        ({"monday": []}, {"monday": ["Unknown day; use mon, tue, wed, thu, fri, sat or sun."]}),
        ({"sat": "08:00-17:00"}, {"sat": [BAD_WEEK]}),
        (["08:00", "17:00"], [BAD_WEEK]),
    ],
)
def test_invalid_working_hours_are_422_where_they_are_wrong(
    client, session, dispatcher_en, hours, errors
):
    user = make_user(session, role="technician")
    response = client.post(
        TECHNICIANS,
        json={"user_id": str(user.id), "home": HOME, "working_hours": hours},
        headers=dispatcher_en,
    )
    assert response.status_code == 422
    assert response.json["errors"]["json"] == {"working_hours": errors}


def test_invalid_working_hours_in_chinese(client, session, dispatcher):
    user = make_user(session, role="technician")
    response = client.post(
        TECHNICIANS,
        json={
            "user_id": str(user.id),
            "home": HOME,
            "working_hours": {"mon": [["09:00", "12:00"], ["11:00", "13:00"]]},
        },
        headers=dispatcher,
    )
    assert response.json["errors"]["json"]["working_hours"] == {"mon": ["同一天的时间段不能重叠。"]}


def test_touching_ranges_and_midnight_end_are_fine(client, session, dispatcher):
    user = make_user(session, role="technician")
    hours = {"mon": [["12:00", "24:00"], ["00:00", "12:00"]]}
    response = client.post(
        TECHNICIANS,
        json={"user_id": str(user.id), "home": HOME, "working_hours": hours},
        headers=dispatcher,
    )
    assert response.status_code == 201
    assert response.json["working_hours"]["mon"] == [["00:00", "12:00"], ["12:00", "24:00"]]


def test_technician_home_out_of_range_and_other_bad_fields(client, session, app):
    user = make_user(session, role="technician")
    body = {
        "user_id": str(user.id),
        "home": {"lat": 100, "lon": 121},
        "max_jobs_per_day": 31,
        "status": "available",
    }
    dispatcher = make_user(session, role="dispatcher")
    zh = client.post(TECHNICIANS, json=body, headers=bearer(app, dispatcher))
    en = client.post(
        TECHNICIANS, json=body, headers=bearer(app, dispatcher, **{"Accept-Language": "en"})
    )
    assert zh.status_code == en.status_code == 422
    assert zh.json["errors"]["json"]["home"] == {"lat": ["纬度必须在 -90 到 90 之间。"]}
    assert en.json["errors"]["json"]["home"] == {"lat": ["Latitude must be between -90 and 90."]}
    assert en.json["errors"]["json"]["max_jobs_per_day"] == [
        "Must be greater than or equal to 1 and less than or equal to 30."
    ]
    # Status is the engineer's own business from the app, not set at creation.
    assert en.json["errors"]["json"]["status"] == ["Unknown field."]


# --- reading, changing, deactivating ------------------------------------------------------


def test_list_filters_by_skill_with_minimum_level(client, session, dispatcher):
    for name, skills in (
        ("Ann", {"hvac": 4, "electrical": 2}),
        ("Bob", {"hvac": 2}),
        ("Cat", {"plumbing": 5}),
    ):
        make_technician(
            session, user=make_user(session, name=name, role="technician"), skills=skills
        )

    def names(query):
        response = client.get(TECHNICIANS, query_string=query, headers=dispatcher)
        assert response.status_code == 200
        return [t["user"]["name"] for t in response.json]

    assert names({"skill": "hvac"}) == ["Ann", "Bob"]
    assert names({"skill": "hvac:3"}) == ["Ann"]
    assert names({"skill": ["hvac", "electrical"]}) == ["Ann"]
    assert names({"skill": ["hvac:1", "plumbing"]}) == []
    assert names({"skill": "unknown"}) == []


@pytest.mark.parametrize("value", ["hvac:0", "hvac:6", "HVAC", "hvac:3:1", ""])
def test_skill_filter_format_is_checked(client, dispatcher_en, value):
    response = client.get(TECHNICIANS, query_string={"skill": value}, headers=dispatcher_en)
    assert response.status_code == 422
    assert response.json["errors"]["query"]["skill"] == {
        "0": ["A skill filter is a code or code:min_level (1 to 5), e.g. hvac:3."]
    }


def test_list_filters_by_active_and_q_and_pages(client, session, dispatcher):
    for name in ("Wang Wei", "Wang Fang", "Li Na"):
        make_technician(session, user=make_user(session, name=name, role="technician"))
    make_technician(
        session, user=make_user(session, name="Wang Gone", role="technician"), active=False
    )
    response = client.get(
        TECHNICIANS,
        query_string={"q": "wang", "active": "true", "page_size": 1},
        headers=dispatcher,
    )
    assert [t["user"]["name"] for t in response.json] == ["Wang Fang"]
    paging = json.loads(response.headers["X-Pagination"])
    assert paging["total"] == 2
    assert paging["total_pages"] == 2


def test_patch_replaces_skills_as_a_whole(client, session, dispatcher):
    make_skill(session, code="plumbing")
    technician = make_technician(session, skills={"hvac": 2, "electrical": 3})
    response = client.patch(
        f"{TECHNICIANS}/{technician.id}",
        json={"skills": [{"code": "hvac", "level": 5}, {"code": "plumbing", "level": 1}]},
        headers=dispatcher,
    )
    assert response.status_code == 200
    assert response.json["skills"] == [
        {"code": "hvac", "level": 5},
        {"code": "plumbing", "level": 1},
    ]
    cleared = client.patch(
        f"{TECHNICIANS}/{technician.id}", json={"skills": []}, headers=dispatcher
    )
    assert cleared.json["skills"] == []


def test_patch_keeps_a_retired_skill_already_held_but_does_not_give_it(client, session, dispatcher):
    make_skill(session, code="legacy", active=False)
    holder = make_technician(session, skills={"legacy": 3})
    other = make_technician(session)
    kept = client.patch(
        f"{TECHNICIANS}/{holder.id}",
        json={"skills": [{"code": "legacy", "level": 4}]},
        headers=dispatcher,
    )
    assert kept.status_code == 200
    assert kept.json["skills"] == [{"code": "legacy", "level": 4}]
    given = client.patch(
        f"{TECHNICIANS}/{other.id}",
        json={"skills": [{"code": "legacy", "level": 1}]},
        headers=dispatcher,
    )
    assert given.status_code == 422


def test_patch_other_fields(client, session, dispatcher):
    technician = make_technician(session)
    response = client.patch(
        f"{TECHNICIANS}/{technician.id}",
        json={
            "home": {"lat": 31.0, "lon": 121.2},
            "working_hours": {"sat": [["10:00", "14:00"]]},
            "max_jobs_per_day": 3,
            "status": "available",
        },
        headers=dispatcher,
    )
    assert response.status_code == 200
    body = response.json
    assert body["home"] == {"lat": 31.0, "lon": 121.2}
    assert body["working_hours"]["sat"] == [["10:00", "14:00"]]
    assert body["working_hours"]["mon"] == []
    assert body["max_jobs_per_day"] == 3
    assert body["status"] == "available"
    bad = client.patch(
        f"{TECHNICIANS}/{technician.id}", json={"user_id": str(uuid.uuid4())}, headers=dispatcher
    )
    assert bad.status_code == 422


def test_delete_deactivates_and_takes_off_duty(client, session, dispatcher):
    technician = make_technician(session, status="available")
    assert client.delete(f"{TECHNICIANS}/{technician.id}", headers=dispatcher).status_code == 204
    body = client.get(f"{TECHNICIANS}/{technician.id}", headers=dispatcher).json
    assert body["active"] is False
    assert body["status"] == "off_duty"
    # The account itself is left alone (it may still be needed, e.g. to see old jobs).
    session.expire_all()
    assert session.get(User, technician.user_id).active is True


def test_unknown_technician_is_404(client, dispatcher):
    missing = f"{TECHNICIANS}/{uuid.uuid4()}"
    assert client.get(missing, headers=dispatcher).status_code == 404
    assert client.patch(missing, json={"active": True}, headers=dispatcher).status_code == 404
    assert client.delete(missing, headers=dispatcher).status_code == 404


# --- who may do what ----------------------------------------------------------------------


@pytest.mark.parametrize("role", READERS)
def test_readers_may_read_technicians(client, session, app, role):
    technician = make_technician(session)
    headers = bearer(app, make_user(session, role=role))
    assert client.get(TECHNICIANS, headers=headers).status_code == 200
    assert client.get(f"{TECHNICIANS}/{technician.id}", headers=headers).status_code == 200


def test_technicians_may_not_read_the_crew(client, session, app):
    technician = make_technician(session)
    headers = bearer(app, technician.user)
    assert client.get(TECHNICIANS, headers=headers).status_code == 403
    assert client.get(f"{TECHNICIANS}/{technician.id}", headers=headers).status_code == 403


@pytest.mark.parametrize("role", ["agent", "manager", "warehouse", "technician"])
def test_only_admin_and_dispatcher_write_technicians(client, session, app, role):
    technician = make_technician(session)
    user = make_user(session, role="technician")
    headers = bearer(app, make_user(session, role=role))
    attempts = [
        ("post", TECHNICIANS, {"user_id": str(user.id), "home": HOME}),
        ("patch", f"{TECHNICIANS}/{technician.id}", {"max_jobs_per_day": 1}),
        ("delete", f"{TECHNICIANS}/{technician.id}", None),
    ]
    for method, path, body in attempts:
        response = getattr(client, method)(path, json=body, headers=headers)
        assert response.status_code == 403, (method, path)
        assert response.json["error"] == "forbidden"
    session.expire_all()
    assert technician.active is True
    assert technician.max_jobs_per_day == 8


@pytest.mark.parametrize("role", WRITERS)
def test_admin_and_dispatcher_write_technicians(client, session, app, role):
    headers = bearer(app, make_user(session, role=role))
    response = client.post(
        TECHNICIANS,
        json={"user": new_user(email=f"{role}@example.test"), "home": HOME},
        headers=headers,
    )
    assert response.status_code == 201
