"""The real server answers over HTTP."""


def test_health_and_login(live_server) -> None:
    client = live_server.login()
    assert client.get("/api/health").json() == {"status": "ok"}
    me = client.get("/api/me").json()
    assert me["crew"]["email"] == "admin@example.org"
    assert me["crew"]["role"] == "admin"
