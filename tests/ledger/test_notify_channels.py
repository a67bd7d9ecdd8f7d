"""The channels of warnings: robot payloads in the shapes WeCom, DingTalk and Feishu document, their signatures
recomputed here, errors of the robots and the settings, and e-mail through a real local SMTP server."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import urllib.parse

import pytest

from gis.errors import InputError
from ledger.channels import Robot, SendError, parse_smtp_url, parse_webhooks, post_robot, robot_request, send_email
from notify_sinks import RobotSink, free_port, smtp_server

TITLE, TEXT, LINK = "【黄牌】H0066 超期未整改", "隐患 H0066：消防通道堵塞，已超期。", "http://localhost:5000/hazards/H0066"
NOW = 1764633600.123  # a fixed clock: 2025-12-02 00:00:00.123 UTC


def test_wecom_markdown_shape():
    url, body = robot_request(Robot("w", "wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K"),
                              title=TITLE, text=TEXT, link=LINK, now_s=NOW)
    assert url == "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K"
    assert set(body) == {"msgtype", "markdown"} and body["msgtype"] == "markdown"
    assert set(body["markdown"]) == {"content"}
    assert TITLE in body["markdown"]["content"] and f"]({LINK})" in body["markdown"]["content"]


def test_dingtalk_signed_url_and_markdown_shape():
    secret = "SECabc123"
    url, body = robot_request(Robot("d", "dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=T", secret),
                              title=TITLE, text=TEXT, link=LINK, now_s=NOW)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert query["access_token"] == ["T"]
    timestamp = query["timestamp"][0]
    assert timestamp == str(int(NOW * 1000))  # milliseconds
    expected = base64.b64encode(hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(),
                                         hashlib.sha256).digest()).decode()
    assert query["sign"] == [expected]  # parse_qs undoes the url-encoding
    assert urllib.parse.quote_plus(expected) in url  # and it was url-encoded in the address
    assert body["msgtype"] == "markdown" and set(body["markdown"]) == {"title", "text"}
    assert body["markdown"]["title"] == TITLE and LINK in body["markdown"]["text"]


def test_dingtalk_without_secret_is_not_signed():
    url, _ = robot_request(Robot("d", "dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=T"),
                           title=TITLE, text=TEXT, link=LINK, now_s=NOW)
    assert "sign=" not in url and "timestamp=" not in url


def test_feishu_signed_body_and_text_shape():
    secret = "feishu-secret"
    url, body = robot_request(Robot("f", "feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/H", secret),
                              title=TITLE, text=TEXT, link=LINK, now_s=NOW)
    assert url == "https://open.feishu.cn/open-apis/bot/v2/hook/H"
    assert body["timestamp"] == str(int(NOW))  # seconds, as text
    expected = base64.b64encode(hmac.new(f"{body['timestamp']}\n{secret}".encode(), b"",
                                         hashlib.sha256).digest()).decode()
    assert body["sign"] == expected
    assert body["msg_type"] == "text" and set(body["content"]) == {"text"}
    assert TITLE in body["content"]["text"] and LINK in body["content"]["text"]


def test_post_robot_sends_json_and_reads_the_robots_error_codes():
    with RobotSink() as sink:
        robot = Robot("d", "dingtalk", f"{sink.url}/dingtalk?access_token=T", "S")
        post_robot(robot, title=TITLE, text=TEXT, link=LINK, timeout_s=5)
        assert len(sink.posts) == 1 and sink.posts[0]["body"]["markdown"]["title"] == TITLE
        assert sink.posts[0]["content_type"].startswith("application/json")
        assert "sign=" in sink.posts[0]["query"]
        sink.status = 500
        with pytest.raises(SendError, match="HTTP 500"):
            post_robot(robot, title=TITLE, text=TEXT, link=LINK, timeout_s=5)
    with pytest.raises(SendError, match="^机器人 x：无法连接"):  # in Chinese, as the coordinator reads the failure
        post_robot(Robot("x", "wecom", f"http://127.0.0.1:{free_port()}/gone"), title=TITLE, text=TEXT,
                   link=LINK, timeout_s=2)


def test_a_robot_that_cannot_be_reached_is_named_in_english_too(english):
    with pytest.raises(SendError, match="^robot x: cannot reach it"):
        post_robot(Robot("x", "wecom", f"http://127.0.0.1:{free_port()}/gone"), title=TITLE, text=TEXT,
                   link=LINK, timeout_s=2)


@pytest.mark.parametrize(("value", "field"), [
    ("not json", "NOTIFY_WEBHOOKS"),
    ('{"name": "a"}', "NOTIFY_WEBHOOKS"),
    ('[{"name": "a", "kind": "slack", "url": "https://x"}]', r"NOTIFY_WEBHOOKS\[0\]\.kind"),
    ('[{"name": "a", "kind": "wecom", "url": "ftp://x"}]', r"NOTIFY_WEBHOOKS\[0\]\.url"),
    ('[{"name": "a", "kind": "wecom", "url": "https://x", "secret": "s"}]', r"NOTIFY_WEBHOOKS\[0\]\.secret"),
    ('[{"name": "a", "kind": "wecom", "url": "https://x"}, {"name": "a", "kind": "feishu", "url": "https://y"}]',
     r"NOTIFY_WEBHOOKS\[1\]\.name"),
    ('[{"name": "a", "kind": "feishu", "url": "https://y", "for": 3}]', r"NOTIFY_WEBHOOKS\[0\]\.for"),
])
def test_bad_webhook_settings_name_the_robot_and_field(value, field):
    with pytest.raises(InputError, match=field) as info:
        parse_webhooks(value)
    assert info.value.file == "settings"
    assert re.search("[\u4e00-\u9fff]", str(info.value)), str(info.value)  # said in Chinese


def test_a_bad_robot_is_said_in_chinese_and_in_english(english):
    with pytest.raises(InputError, match=r"NOTIFY_WEBHOOKS\[0\]\.kind: 'slack' should be one of wecom"):
        parse_webhooks('[{"name": "a", "kind": "slack", "url": "https://x"}]')


def test_webhooks_and_smtp_url_parse():
    robots = parse_webhooks('[{"name": "街道群", "kind": "dingtalk", "url": "https://x/?t=1", "secret": "S", '
                            '"for": ["street"]}]')
    assert robots == (Robot("街道群", "dingtalk", "https://x/?t=1", "S", frozenset({"street"})),)
    smtp = parse_smtp_url("smtp://patrol%40office.cn:p%40ss@mail.office.cn:587")
    assert (smtp.host, smtp.port, smtp.implicit_tls, smtp.user, smtp.password) == ("mail.office.cn", 587, False,
                                                                                   "patrol@office.cn", "p@ss")
    assert parse_smtp_url("smtps://mail.office.cn").port == 465 and parse_smtp_url("smtps://mail.office.cn").implicit_tls
    with pytest.raises(InputError, match="SMTP_URL") as info:
        parse_smtp_url("http://user:secret@mail.office.cn")
    assert "secret" not in str(info.value)  # the password is never shown


def test_email_reaches_a_local_smtp_server():
    with smtp_server() as (url, box):
        send_email(parse_smtp_url(url), sender="patrol@localhost", to="leader@street.test", subject=TITLE,
                   text=f"{TEXT}\n{LINK}", timeout_s=5, headers={"X-Patrol-Message": "yellow H0066 2026-11-22"})
    assert len(box.messages) == 1
    m = box.messages[0]
    assert m["To"] == "leader@street.test" and m["Subject"] == TITLE
    assert m["X-Patrol-Message"] == "yellow H0066 2026-11-22"
    assert LINK in m.get_content()
    with pytest.raises(SendError, match="smtp 127.0.0.1"):
        send_email(parse_smtp_url(f"smtp://127.0.0.1:{free_port()}"), sender="a@b", to="c@d", subject="s",
                   text="t", timeout_s=2)
