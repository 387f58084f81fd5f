"""Credential scrubbing of object YAML, table-driven (pure, no cluster)."""

from __future__ import annotations

import json

import pytest

from triage.bundle.redact import LAST_APPLIED, REDACTED, looks_secret, redact


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("DB_PASSWORD", True),
        ("db_passwd", True),
        ("GITHUB_TOKEN", True),
        ("AWS_SECRET_ACCESS_KEY", True),
        ("GOOGLE_APPLICATION_CREDENTIALS", True),
        ("BASIC_AUTH", True),
        ("SENTRY_DSN", True),
        ("TLS_PRIVATE", True),
        ("LOG_LEVEL", False),
        ("GOMEMLIMIT", False),
        ("PORT", False),
    ],
)
def test_credential_names(name: str, secret: bool) -> None:
    assert looks_secret(name) is secret


def test_env_in_every_container_list_and_template_is_scrubbed_and_the_input_kept() -> None:
    env = [{"name": "API_TOKEN", "value": "t0k"}, {"name": "MODE", "value": "prod"}]
    deployment = {
        "kind": "Deployment",
        "metadata": {"name": "api", "managedFields": [{"manager": "kubectl"}]},
        "spec": {
            "template": {
                "spec": {
                    "initContainers": [{"name": "init", "env": list(env)}],
                    "containers": [{"name": "app", "env": list(env)}],
                }
            }
        },
    }
    out = redact(deployment)
    spec = out["spec"]["template"]["spec"]
    for container in (spec["initContainers"][0], spec["containers"][0]):
        assert container["env"] == [
            {"name": "API_TOKEN", "value": REDACTED},
            {"name": "MODE", "value": "prod"},
        ]
    assert "managedFields" not in out["metadata"]
    assert deployment["spec"]["template"]["spec"]["containers"][0]["env"][0]["value"] == "t0k"  # type: ignore[index]


def test_last_applied_is_scrubbed_inside_or_dropped_when_unreadable() -> None:
    applied = {
        "spec": {"containers": [{"name": "a", "env": [{"name": "PASSWORD", "value": "pw"}]}]}
    }
    pod = {"metadata": {"annotations": {LAST_APPLIED: json.dumps(applied)}}}
    inner = json.loads(redact(pod)["metadata"]["annotations"][LAST_APPLIED])
    assert inner["spec"]["containers"][0]["env"][0]["value"] == REDACTED
    broken = {"metadata": {"annotations": {LAST_APPLIED: '{"env": [{"name": "PASSWORD", "valu'}}}
    assert redact(broken)["metadata"]["annotations"][LAST_APPLIED] == REDACTED


def test_credential_flags_in_command_lines_lose_their_value() -> None:
    container = {
        "name": "app",
        "command": ["/app", "--db-password=pw1"],
        "args": ["-api-token=t0k", "--port=8080", "--verbose", "--secret", "s3", "serve"],
    }
    out = redact({"spec": {"containers": [container]}})["spec"]["containers"][0]
    assert out["command"] == ["/app", f"--db-password={REDACTED}"]
    assert out["args"] == [
        f"-api-token={REDACTED}",
        "--port=8080",
        "--verbose",
        "--secret",
        REDACTED,  # the flag's value, as its next word
        "serve",
    ]
