"""The CloudFormation template matches the code it deploys."""

from __future__ import annotations

from shipcaptaincrew.storage import dynamo_items
from shipcaptaincrew.web.middleware import CSP, HSTS
from tests.aws.cfn import load_template


def _resources() -> dict:
    return load_template()["Resources"]


def test_table_matches_the_dynamodb_store() -> None:
    table = _resources()["Table"]["Properties"]
    assert table["KeySchema"] == dynamo_items.KEY_SCHEMA
    assert table["AttributeDefinitions"] == dynamo_items.ATTRIBUTES
    assert table["GlobalSecondaryIndexes"] == dynamo_items.INDEXES
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["TimeToLiveSpecification"] == {
        "AttributeName": dynamo_items.TTL_ATTRIBUTE,
        "Enabled": True,
    }


def test_function_runs_the_handler_on_arm64_python312() -> None:
    fn = _resources()["Function"]["Properties"]
    assert fn["Handler"] == "shipcaptaincrew.lambda_function.lambda_handler"
    assert fn["Runtime"] == "python3.12"
    assert load_template()["Parameters"]["Architecture"]["Default"] == "arm64"


def test_secrets_come_from_references_never_literals() -> None:
    env = _resources()["Function"]["Properties"]["Environment"]["Variables"]
    assert "{{resolve:secretsmanager:" in env["SCC_SECRET_KEY"]["Fn::Sub"]
    assert "{{resolve:secretsmanager:" in repr(env["SCC_SMTP_PASSWORD"])


def test_iam_is_least_privilege_with_real_actions() -> None:
    [policy] = _resources()["FunctionRole"]["Properties"]["Policies"]
    statements = policy["PolicyDocument"]["Statement"]
    actions = {a for s in statements for a in s["Action"]}
    assert "dynamodb:*" not in actions and "dynamodb:Scan" not in actions
    assert {"dynamodb:ConditionCheckItem", "dynamodb:UpdateItem", "dynamodb:Query"} <= actions
    assert all(s["Resource"] != "*" for s in statements)


def test_console_gets_the_same_csp_as_the_app() -> None:
    headers = _resources()["ConsoleHeaders"]["Properties"]["ResponseHeadersPolicyConfig"]
    csp = headers["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    assert csp == CSP


def _hsts(policy: str) -> dict:
    config = _resources()[policy]["Properties"]["ResponseHeadersPolicyConfig"]
    return config["SecurityHeadersConfig"]["StrictTransportSecurity"]


def test_every_behaviour_sends_hsts() -> None:
    """Two years with subdomains, as the app sends itself (web/middleware.py HSTS)."""
    distribution = _resources()["Distribution"]["Properties"]["DistributionConfig"]
    behaviours = {b["PathPattern"]: b for b in distribution["CacheBehaviors"]}
    behaviours["default"] = distribution["DefaultCacheBehavior"]
    assert {"/api/*", "/g/*", "/admin/*", "default"} <= set(behaviours)
    hsts = {
        "AccessControlMaxAgeSec": 63072000,
        "IncludeSubdomains": True,
        "Override": True,
    }
    assert HSTS[1] == b"max-age=63072000; includeSubDomains"
    for pattern, behaviour in behaviours.items():
        policy = behaviour["ResponseHeadersPolicyId"]["Ref"]
        assert _hsts(policy) == hsts, pattern
