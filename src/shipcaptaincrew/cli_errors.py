"""What the operator sees when a command fails: one line saying what is wrong and what to do.

Exit codes of every ``scc`` command: 0 done; 1 the work failed (a service could not be
reached, a rule refused it, some rows were rejected); 2 usage or configuration (a bad option
or setting, a missing driver or credential, an unknown event, an unreadable file). A
traceback is shown only with ``scc --debug``.
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup
from typer.exceptions import Abort, Exit, TyperException

from .config import SettingsError
from .domain.errors import DomainError, NotFound

USAGE = 2
FAILED = 1

EXTRAS = {
    "psycopg": "postgres",
    "psycopg_binary": "postgres",
    "boto3": "aws",
    "botocore": "aws",
    "google": "gmail",
    "requests": "gmail",
}
DRIVER_FOR = {"postgres": "PostgreSQL", "aws": "DynamoDB and the AWS commands", "gmail": "Gmail"}


class OperatorError(Exception):
    """A failure the command has already put in words, with its exit code."""

    def __init__(self, message: str, code: int = USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _names(err: BaseException) -> set[str]:
    """``package.ClassName`` for the error's classes: adapters' errors are recognised by
    name, so the command line never imports a database driver to explain one."""
    return {f"{c.__module__.split('.')[0]}.{c.__name__}" for c in type(err).__mro__}


def _first_line(err: BaseException) -> str:
    text = str(getattr(err, "orig", None) or err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def _database(err: BaseException) -> tuple[str, int]:
    reason = _first_line(err)
    lowered = reason.lower()
    if "no such table" in lowered or ("relation" in lowered and "does not exist" in lowered):
        return "The database has no schema yet: run scc init-db.", USAGE
    if "no such column" in lowered or ("column" in lowered and "does not exist" in lowered):
        # a table this version reads has a column the database has not got yet
        return (
            "The database schema is older than this version: run scc init-db to migrate it.",
            USAGE,
        )
    return (
        f"Cannot reach the database ({reason}). Check SCC_DATABASE_URL and that the "
        "database server is running.",
        FAILED,
    )


def _aws(err: BaseException, names: set[str]) -> tuple[str, int] | None:
    if "botocore.NoCredentialsError" in names or "botocore.PartialCredentialsError" in names:
        return (
            "No AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY (aws configure writes them).",
            USAGE,
        )
    if "botocore.NoRegionError" in names:
        return "No AWS region: set AWS_REGION or add ?region=... to SCC_DATABASE_URL.", USAGE
    if "botocore.EndpointConnectionError" in names:
        return f"Cannot reach AWS ({_first_line(err)}). Check the network or endpoint_url.", FAILED
    if "botocore.ClientError" in names:
        code = getattr(err, "response", {}).get("Error", {}).get("Code", "")
        if code == "ResourceNotFoundException":
            return "The DynamoDB table does not exist: run scc init-db.", USAGE
        if code in (
            "UnrecognizedClientException",
            "InvalidClientTokenId",
            "ExpiredTokenException",
            "AccessDeniedException",
        ):
            return f"AWS refused the credentials ({code}): check AWS_PROFILE or the keys.", USAGE
        return f"AWS answered {code or 'an error'}: {_first_line(err)}", FAILED
    return None


def explain(err: BaseException) -> tuple[str, int] | None:
    """The one line and exit code for an error an operator can fix, or None."""
    if isinstance(err, OperatorError):
        return err.message, err.code
    if isinstance(err, SettingsError):
        return f"{err} (fix the setting and run the command again).", USAGE
    if isinstance(err, NotFound):
        return err.message, USAGE
    if isinstance(err, DomainError):
        return err.message, FAILED
    if isinstance(err, ModuleNotFoundError):
        top = (err.name or "").split(".")[0]
        extra = EXTRAS.get(top)
        if extra:
            return (
                f"{DRIVER_FOR[extra]} needs the {top} package: "
                f"pip install 'shipcaptaincrew[{extra}]'",
                USAGE,
            )
        return f"The Python package {top} is missing: reinstall with pip install -e .", USAGE
    names = _names(err)
    if any(n.startswith("sqlalchemy.") and n.endswith("Error") for n in names):
        return _database(err)
    if any(n.startswith("botocore.") for n in names):
        return _aws(err, names)
    if isinstance(err, OSError) and err.strerror:
        where = f": {err.filename}" if err.filename else ""
        return f"{err.strerror}{where}", FAILED
    return None


class OperatorGroup(TyperGroup):
    """The ``scc`` group: any error a command raises ends as one red line and an exit code,
    unless ``--debug`` asked for the traceback."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (Exit, Abort, TyperException):  # typer's own: usage errors, exit codes
            raise
        except Exception as err:
            if ctx.meta.get("scc_debug"):
                raise
            message, code = explain(err) or (
                f"Unexpected error ({type(err).__name__}: {_first_line(err)}); "
                "run again with scc --debug for the details.",
                FAILED,
            )
            typer.secho(message, fg=typer.colors.RED, err=True)
            raise typer.Exit(code) from None
