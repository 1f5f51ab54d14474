"""``asl serve`` answers only requests addressed to it (DNS rebinding) and not sent by other sites (CSRF)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from asl_engine.server import Route, make_server
from asl_engine.server.app import exposure_warning
from asl_engine.server.guard import SECURITY_HEADERS, Guard
from asl_engine.server.protocol import ApiError
from asl_engine.service import Service

from .conftest import PASS, ROLE, api, client_of, raw


@pytest.fixture
def server(service: Service) -> Iterator[Any]:
    service.create_state_machine("hello", PASS)
    routes = [Route("POST", "/messages", "hello"), Route("GET", "/start", "hello")]
    server = make_server(service, port=0, routes=routes, allowed_hosts=["asl.test"]).start()
    try:
        yield server
    finally:
        server.stop()


def _refusal(answer: tuple[int, Any, dict[str, str]]) -> str:
    status, body, _ = answer
    assert status == 403 and body["__type"] == "AccessDeniedException", answer
    return str(body["message"])


def test_boto3_on_127_0_0_1_and_on_localhost_is_served(server: Any) -> None:
    for url in (server.url, server.url.replace("127.0.0.1", "localhost")):
        assert [m["name"] for m in client_of(url).list_state_machines()["stateMachines"]] == ["hello"]


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "LOCALHOST", "[::1]", "asl.test", "sync-127.0.0.1", "sync-localhost"])
def test_the_names_of_this_server_are_served(server: Any, host: str) -> None:
    status, body, _ = api(server.url, "ListStateMachines", headers={"Host": f"{host}:{server.port}"})
    assert status == 200, body


@pytest.mark.parametrize("host", ["evil.example:{port}", "127.0.0.1:1", "localhost", "sync-evil.example:{port}", "127.0.0.1.evil.example:{port}", ""])
def test_another_host_is_refused_with_an_aws_error(server: Any, host: str) -> None:
    message = _refusal(api(server.url, "ListStateMachines", headers={"Host": host.format(port=server.port)}))
    assert "is not an address of this server" in message and "--allow-host" in message
    assert _refusal(raw(server.url, "GET", "/", {"Host": host.format(port=server.port)}))  # the console too
    assert api(server.url, "ListStateMachines")[0] == 200  # still serving


def test_a_cross_site_post_is_refused_and_a_same_origin_one_served(server: Any) -> None:
    here = f"127.0.0.1:{server.port}"
    form = {"Host": here, "Content-Type": "text/plain"}
    for sender in ({"Origin": "http://evil.example"}, {"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"},
                   {"Origin": "null"}, {"Origin": f"http://localhost:{server.port}"}):
        assert "cross-site" in _refusal(raw(server.url, "POST", "/messages", {**form, **sender}, b'{"a": 1}'))
        assert "cross-site" in _refusal(api(server.url, "StartExecution", {}, {"Host": here, **sender}))
    status, body, _ = raw(server.url, "POST", "/messages", {**form, "Origin": f"http://{here}", "Sec-Fetch-Site": "same-origin"}, b"{}")
    assert status == 200 and body["executionArn"]


def test_a_link_from_another_site_opens_the_console_but_nothing_else_reads_it(server: Any) -> None:
    navigation = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"}
    assert raw(server.url, "GET", "/", navigation)[0] == 200
    _refusal(raw(server.url, "GET", "/", {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors"}))
    _refusal(raw(server.url, "GET", "/", {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "cors", "Origin": "http://evil.example"}))
    # a route starts an execution whatever its method: even a link from another site is refused
    assert "cross-site" in _refusal(raw(server.url, "GET", "/start", navigation))
    assert raw(server.url, "GET", "/start", {"Sec-Fetch-Site": "none", "Sec-Fetch-Mode": "navigate"})[0] == 200


def test_every_answer_carries_the_security_headers(server: Any) -> None:
    for status, _, headers in (raw(server.url, "GET", "/"), api(server.url, "ListStateMachines"),
                               api(server.url, "ListStateMachines", headers={"Host": "evil.example"})):
        assert {name.lower(): value for name, value in SECURITY_HEADERS.items()}.items() <= headers.items(), status
    policy = SECURITY_HEADERS["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy and "script-src 'none'" in policy
    assert "http" not in policy and "*" not in policy


def test_the_console_page_loads_nothing_from_other_origins(server: Any, service: Service) -> None:
    arn = service.start_execution(service.machine_arn("hello"), name="one")
    service.runner.wait(arn, 10)
    from urllib.parse import quote

    for path in ("/", f"/execution?arn={quote(arn, safe='')}"):
        status, page, _ = raw(server.url, "GET", path)
        assert status == 200
        for fetch in (r"src=", r"href=['\"]?(?![/#'\"])", r"url\((?!#)", r"@import", r"<script", r"<link", r"action=", r"//[a-z]"):
            assert re.search(fetch, page.replace("http-equiv", "")) is None, (path, fetch)


def test_the_api_still_works_under_boto3_end_to_end(server: Any, service: Service) -> None:
    sfn = client_of(server.url)
    machine = sfn.create_state_machine(name="m", definition='{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}', roleArn=ROLE)
    started = sfn.start_execution(stateMachineArn=machine["stateMachineArn"])
    service.runner.wait(started["executionArn"], 10)
    assert sfn.describe_execution(executionArn=started["executionArn"])["status"] == "SUCCEEDED"
    express = sfn.create_state_machine(name="fast", definition='{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}',
                                       roleArn=ROLE, type="EXPRESS")
    assert sfn.start_sync_execution(stateMachineArn=express["stateMachineArn"])["status"] == "SUCCEEDED"


def _refuses(guard: Guard, host: str) -> bool:
    try:
        guard.check("POST", {"host": host})
    except ApiError:
        return True
    return False


def test_a_wildcard_address_serves_any_host_unless_names_are_given() -> None:
    anywhere = Guard("0.0.0.0", 8083)
    assert anywhere.any_host and not _refuses(anywhere, "192.168.1.5:8083") and not _refuses(anywhere, "evil.example")
    named = Guard("0.0.0.0", 8083, ["box.lan", "proxy.lan:443"])
    assert not named.any_host
    assert [h for h in ("box.lan:8083", "proxy.lan:443", "localhost:8083", "box.lan:9", "192.168.1.5:8083") if not _refuses(named, h)] == [
        "box.lan:8083", "proxy.lan:443", "localhost:8083"]
    bound = Guard("192.168.1.5", 8083)
    assert not _refuses(bound, "192.168.1.5:8083") and _refuses(bound, "box.lan:8083")
    assert not _refuses(Guard("::1", 8083), "[::1]:8083")


def test_an_address_other_machines_reach_is_warned_about() -> None:
    assert exposure_warning("127.0.0.1", False) is None and exposure_warning("localhost", False) is None
    assert exposure_warning("::1", False) is None
    wildcard = exposure_warning("0.0.0.0", True)
    assert wildcard is not None and "every interface" in wildcard and "any Host header is accepted" in wildcard
    lan = exposure_warning("192.168.1.5", False)
    assert lan is not None and "192.168.1.5" in lan and "--auth sigv4" in lan
