"""Settings: every variable is checked when read, and a bad one is named in one line."""

from __future__ import annotations

import stat

import pytest

from shipcaptaincrew.config import Settings, SettingsError


def _env(tmp_path, **overrides: str) -> dict[str, str]:
    return {
        "SCC_VAR_DIR": str(tmp_path / "var"),
        "SCC_SECRET_KEY": "test-secret-key-0123456789abcdef",
        **overrides,
    }


@pytest.mark.parametrize(
    "name,value,message",
    [
        ("SCC_SESSION_HOURS", "0", "SCC_SESSION_HOURS must be a whole number from 1 to 168"),
        ("SCC_SESSION_HOURS", "-3", "SCC_SESSION_HOURS must be a whole number from 1 to 168"),
        ("SCC_SESSION_HOURS", "100000", "SCC_SESSION_HOURS must be a whole number from 1 to 168"),
        ("SCC_SESSION_HOURS", "twelve", "SCC_SESSION_HOURS must be a whole number from 1 to 168"),
        (
            "SCC_OFFLINE_WINDOW_HOURS",
            "0",
            "SCC_OFFLINE_WINDOW_HOURS must be a whole number from 1 to 168",
        ),
        ("SCC_PORT", "0", "SCC_PORT must be a whole number from 1 to 65535"),
        ("SCC_PORT", "70000", "SCC_PORT must be a whole number from 1 to 65535"),
        ("SCC_SMTP_PORT", "99999", "SCC_SMTP_PORT must be a whole number from 1 to 65535"),
        ("SCC_SMTP_TIMEOUT", "0", "SCC_SMTP_TIMEOUT must be a whole number from 1 to 300"),
        (
            "SCC_MAX_BODY_BYTES",
            "10",
            "SCC_MAX_BODY_BYTES must be a whole number from 1024 to 67108864",
        ),
        (
            "SCC_ROSTER_CACHE_EVENTS",
            "-1",
            "SCC_ROSTER_CACHE_EVENTS must be a whole number from 0 to 1000",
        ),
        (
            "SCC_PUBLIC_URL",
            "harbour.example",
            "SCC_PUBLIC_URL must be an http:// or https:// URL with a host, like http://127.0.0.1:8000",
        ),
        (
            "SCC_PUBLIC_URL",
            "https://harbour.example/?a=1",
            "SCC_PUBLIC_URL must be an http:// or https:// URL with a host, like http://127.0.0.1:8000",
        ),
        (
            "SCC_PUBLIC_URL",
            "https://harbour.example:99999",
            "SCC_PUBLIC_URL must be an http:// or https:// URL with a host, like http://127.0.0.1:8000",
        ),
        (
            "SCC_GMAIL_API_URL",
            "ftp://gmail.example",
            "SCC_GMAIL_API_URL must be an http:// or https:// URL with a host, "
            "like https://gmail.googleapis.com",
        ),
        (
            "SCC_COOKIE_SECURE",
            "maybe",
            "SCC_COOKIE_SECURE must be true or false (1/0, yes/no, on/off)",
        ),
        ("SCC_TRUST_PROXY", "2", "SCC_TRUST_PROXY must be true or false (1/0, yes/no, on/off)"),
        (
            "SCC_MAIL_AFTER_COMMIT",
            "sometimes",
            "SCC_MAIL_AFTER_COMMIT must be true or false (1/0, yes/no, on/off)",
        ),
        ("SCC_MAIL_BACKEND", "pigeon", "SCC_MAIL_BACKEND must be console, smtp or gmail"),
        ("SCC_SMTP_SECURITY", "tls", "SCC_SMTP_SECURITY must be starttls, ssl or none"),
        ("SCC_LOG_FORMAT", "xml", "SCC_LOG_FORMAT must be text or json"),
        (
            "SCC_MAIL_FROM",
            "boats@harbour.example, evil@attacker.example",
            "SCC_MAIL_FROM must be one email address, like Name <boats@example.org>",
        ),
        (
            "SCC_MAIL_REPLY_TO",
            "not an address",
            "SCC_MAIL_REPLY_TO must be one email address, like Name <boats@example.org>",
        ),
        (
            "SCC_SMTP_CA_FILE",
            "/nonexistent/ca.pem",
            "SCC_SMTP_CA_FILE must be the path of a readable file",
        ),
        (
            "SCC_RECEIPT_FONT",
            "/nonexistent/font.ttf",
            "SCC_RECEIPT_FONT must be the path of a readable file",
        ),
        (
            "SCC_DATABASE_URL",
            "mysql://db/scc",
            "SCC_DATABASE_URL must start with sqlite:///, postgresql:// or dynamodb://",
        ),
        ("SCC_TIMEZONE", "Mars/Olympus", "SCC_TIMEZONE must be a time zone name like Europe/Oslo"),
        ("SCC_CURRENCY", "XYZ", "SCC_CURRENCY must be an ISO 4217 currency code like USD"),
        ("SCC_HOST", "0.0.0.0 8000", "SCC_HOST must be an address or host name like 0.0.0.0"),
        ("SCC_ORIGIN_SECRET", "short", "SCC_ORIGIN_SECRET must be at least 16 characters when set"),
        ("SCC_SECRET_KEY", "short", "SCC_SECRET_KEY must be at least 16 characters"),
        (
            "SCC_REMINDER_OFFSETS",
            "48h,tomorrow",
            "SCC_REMINDER_OFFSETS must be times before the start like 48h,3h (whole m, h or d, "
            "at most 30 days, up to six), or off",
        ),
    ],
)
def test_a_bad_setting_is_named_with_what_it_may_be(tmp_path, name, value, message) -> None:
    with pytest.raises(SettingsError) as err:
        Settings.from_env(_env(tmp_path, **{name: value}))
    assert str(err.value) == message
    if len(value) >= 5:  # the value itself is never repeated (it may be a secret)
        assert value not in str(err.value)


def test_good_settings_are_typed(tmp_path) -> None:
    s = Settings.from_env(
        _env(
            tmp_path,
            SCC_SESSION_HOURS="168",
            SCC_OFFLINE_WINDOW_HOURS="48",
            SCC_PORT="8443",
            SCC_PUBLIC_URL="https://harbour.example/",
            SCC_TRUST_PROXY="yes",
            SCC_ORIGIN_SECRET="origin-secret-1234",
            SCC_LOG_FORMAT="JSON",
            SCC_MAIL_FROM="Harbour Co <boats@harbour.example>",
            SCC_ROSTER_CACHE_EVENTS="0",
        )
    )
    assert s.roster_cache_events == 0
    assert (s.session_hours, s.port, s.public_url) == (168, 8443, "https://harbour.example")
    assert (s.trust_proxy, s.origin_secret, s.log_format) == (True, "origin-secret-1234", "json")
    assert (s.cookie_secure, s.https) == (True, True)
    assert "origin-secret-1234" not in repr(s)
    assert s.offline_window_hours == 48
    assert Settings.from_env(_env(tmp_path)).offline_window_hours == 24


def test_defaults(tmp_path) -> None:
    s = Settings.from_env(_env(tmp_path))
    assert (s.session_hours, s.port, s.public_url, s.https) == (
        12,
        8000,
        "http://127.0.0.1:8000",
        False,
    )
    assert (s.trust_proxy, s.origin_secret, s.log_format, s.cookie_secure) == (
        False,
        "",
        "text",
        False,
    )
    assert Settings.from_env(_env(tmp_path, SCC_HOST="::")).public_url == "http://[::]:8000"
    assert s.reminder_offsets == (2880, 180)
    assert s.roster_cache_events == 8


def test_reminder_offsets(tmp_path) -> None:
    def offsets(value: str) -> tuple[int, ...]:
        return Settings.from_env(_env(tmp_path, SCC_REMINDER_OFFSETS=value)).reminder_offsets

    assert offsets("1d,90m") == (1440, 90)
    assert offsets("off") == ()


def test_the_local_secret_key_and_its_folder_are_private(tmp_path) -> None:
    env = _env(tmp_path)
    del env["SCC_SECRET_KEY"]
    first = Settings.from_env(env)
    assert Settings.from_env(env).secret_key == first.secret_key
    var = tmp_path / "var"
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
    assert stat.S_IMODE((var / "secret_key").stat().st_mode) == 0o600


@pytest.mark.parametrize(
    "env,message",
    [
        (
            {"SCC_STRIPE_SECRET_KEY": "pk_test_publishable"},
            "SCC_STRIPE_SECRET_KEY must be a Stripe secret key (sk_... or rk_...)",
        ),
        (
            {"SCC_STRIPE_SECRET_KEY": "sk_test_abc"},
            "SCC_STRIPE_WEBHOOK_SECRET (whsec_...) is required with a Stripe key",
        ),
        (
            {"SCC_STRIPE_API_URL": "ftp://stripe.local"},
            "SCC_STRIPE_API_URL must be an http:// or https:// URL with a host, like "
            "https://api.stripe.com",
        ),
        (
            {"SCC_PAYPAL_CLIENT_ID": "client", "SCC_PAYPAL_CLIENT_SECRET": "secret-value"},
            "SCC_PAYPAL_WEBHOOK_ID is required with the other PayPal settings",
        ),
        (
            {"SCC_PAYPAL_API_URL": "paypal.local"},
            "SCC_PAYPAL_API_URL must be an http:// or https:// URL with a host, like "
            "https://api-m.paypal.com",
        ),
    ],
)
def test_a_half_configured_provider_is_named(tmp_path, env, message) -> None:
    with pytest.raises(SettingsError) as err:
        Settings.from_env(_env(tmp_path, **env))
    assert str(err.value) == message
    assert "secret-value" not in str(err.value)


def test_providers_are_optional_and_their_secrets_never_in_repr(tmp_path) -> None:
    assert Settings.from_env(_env(tmp_path)).stripe_secret_key == ""
    s = Settings.from_env(
        _env(
            tmp_path,
            SCC_STRIPE_SECRET_KEY="sk_test_hidden",
            SCC_STRIPE_WEBHOOK_SECRET="whsec_hidden",
            SCC_PAYPAL_CLIENT_ID="client",
            SCC_PAYPAL_CLIENT_SECRET="pp_hidden",
            SCC_PAYPAL_WEBHOOK_ID="WH-1",
        )
    )
    assert (s.stripe_secret_key, s.paypal_webhook_id) == ("sk_test_hidden", "WH-1")
    assert "hidden" not in repr(s)
