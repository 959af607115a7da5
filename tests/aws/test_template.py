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


def _evaluate(expr: object, params: dict[str, str]) -> object:
    """The value of a rule's condition (Ref, Fn::Equals, Fn::Not) for these parameters."""
    if isinstance(expr, dict):
        [(name, arg)] = expr.items()
        if name == "Ref":
            return params[arg]
        if name == "Fn::Equals":
            left, right = (_evaluate(a, params) for a in arg)
            return left == right
        if name == "Fn::Not":
            return not _evaluate(arg[0], params)
        raise AssertionError(f"unexpected function {name}")
    return expr


def _rule_failures(**given: str) -> list[str]:
    """What CloudFormation would refuse a deploy with, for these parameter values."""
    template = load_template()
    params = {k: str(p.get("Default", "")) for k, p in template["Parameters"].items()}
    params.update(given)
    failures = []
    for rule in template["Rules"].values():
        if not _evaluate(rule.get("RuleCondition", True), params):
            continue
        for check in rule["Assertions"]:
            if not _evaluate(check["Assert"], params):
                failures.append(" ".join(check["AssertDescription"].split()))
    return failures


def test_gmail_without_a_key_or_sender_is_refused_at_deploy_time() -> None:
    key = "gmail_service_account_json"
    assert _rule_failures(MailBackend="gmail") == [
        "MailBackend=gmail needs GmailSender: the Workspace address the service account sends as.",
        "MailBackend=gmail needs GmailKeyField: the field of the AppSecretArn secret that "
        "holds the service account's JSON key (e.g. gmail_service_account_json).",
    ]
    assert len(_rule_failures(MailBackend="gmail", GmailSender="boats@harbour.example")) == 1
    assert _rule_failures(MailBackend="gmail", GmailSender="b@h.example", GmailKeyField=key) == []
    assert _rule_failures(MailBackend="smtp") == []
    assert _rule_failures() == []


def test_gmail_settings_reach_the_function_from_the_secret_and_parameters() -> None:
    env = _resources()["Function"]["Properties"]["Environment"]["Variables"]
    assert env["SCC_GMAIL_SENDER"] == {"Ref": "GmailSender"}
    assert env["SCC_GMAIL_SERVICE_ACCOUNT_JSON"] == {
        "Fn::If": [
            "UsesGmail",
            {"Fn::Sub": "{{resolve:secretsmanager:${AppSecretArn}:SecretString:${GmailKeyField}}}"},
            "",
        ]
    }
    assert load_template()["Conditions"]["UsesGmail"] == {
        "Fn::Equals": [{"Ref": "MailBackend"}, "gmail"]
    }
