"""Language negotiation and translated messages (pure)."""

from __future__ import annotations

import pytest

from server.i18n import MESSAGES, negotiate, translate, translate_errors, translate_validation


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "zh-CN"),
        ("", "zh-CN"),
        ("en", "en"),
        ("en-US,en;q=0.9", "en"),
        ("zh-TW,zh;q=0.9,en;q=0.8", "zh-CN"),
        ("fr-FR,en;q=0.5", "en"),
        ("en;q=0.2,zh;q=0.8", "zh-CN"),
        ("de", "zh-CN"),
        ("en;q=0", "zh-CN"),
        ("en;q=abc", "zh-CN"),
    ],
)
def test_negotiate_accept_language(header, expected):
    assert negotiate(header) == expected


def test_user_preference_wins_over_header():
    assert negotiate("zh-CN", "en") == "en"
    assert negotiate("en", "zh-CN") == "zh-CN"
    assert negotiate("en", "xx") == "en"


def test_every_message_exists_in_both_languages():
    for key, entry in MESSAGES.items():
        assert set(entry) == {"zh-CN", "en"}, key
        assert all(text.strip() for text in entry.values()), key


def test_translate_fills_parameters():
    assert (
        translate("rate_limited", "en", retry_after=30)
        == "Too many attempts; try again in 30 seconds."
    )
    assert "30" in translate("rate_limited", "zh-CN", retry_after=30)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Missing data for required field.", "此字段为必填项。"),
        ("Unknown field.", "未知字段。"),
        (
            "Must be greater than or equal to -90 and less than or equal to 90.",
            "必须在 -90 到 90 之间。",
        ),
        ("Shorter than minimum length 8.", "长度不能少于 8。"),
        ("Must be one of: a, b.", "必须是以下之一：a, b。"),
        ("email_taken", "该邮箱已被使用。"),
        ("Something we never saw.", "Something we never saw."),
    ],
)
def test_validation_messages_translate_to_chinese(message, expected):
    assert translate_validation(message, "zh-CN") == expected


def test_english_validation_messages_stay_and_keys_resolve():
    assert translate_validation("Unknown field.", "en") == "Unknown field."
    assert translate_validation("email_taken", "en") == "This email is already in use."


def test_translate_errors_walks_nested_locations_and_indexes():
    tree = {"json": {"skills": {0: {"level": ["Not a valid integer."]}}}}
    assert translate_errors(tree, "zh-CN") == {
        "json": {"skills": {0: {"level": ["不是有效的整数。"]}}}
    }
