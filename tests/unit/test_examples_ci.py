"""The scheduling examples in examples/ci/ and docs/scheduling.md work with the real tools.

Each CI file validates against its platform's schema (check-jsonschema's vendored copies, run
in-process under the test session's loopback-only network guard, so offline), the systemd
units, the cron line and the Kubernetes CronJob have their required shape, and every
`entra-recovery ...` command line in them is parsed by the real click CLI (unknown commands,
options or choices fail), after placeholders (`${{ ... }}`, `$(...)`, `$VAR`) become dummies.
"""

from __future__ import annotations

import configparser
import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import check_jsonschema.cli.main_command as check_jsonschema_cli  # type: ignore[import-untyped]
import click
import pytest
import yaml
from click.testing import CliRunner

from entra_recovery.cli.main import cli

ROOT = Path(__file__).parents[2]
EXAMPLES = ROOT / "examples" / "ci"
DOC = ROOT / "docs" / "scheduling.md"
GITHUB = sorted((EXAMPLES / "github").glob("*.yml"))
AZURE = sorted((EXAMPLES / "azure-devops").glob("*.yml"))
SERVICE = EXAMPLES / "systemd" / "entra-recovery-preview.service"
TIMER = EXAMPLES / "systemd" / "entra-recovery-preview.timer"
CRON = EXAMPLES / "cron" / "entra-recovery.cron"
CRONJOB = EXAMPLES / "kubernetes" / "cronjob.yaml"

# check-jsonschema's own settings for these schemas (its pre-commit hooks use the same): the
# Azure schema's patterns need the non-unicode regex dialect and templates need unnesting.
SCHEMA_ARGS = {
    "github": ["--builtin-schema", "vendor.github-workflows"],
    "azure": [
        "--builtin-schema",
        "vendor.azure-pipelines",
        "--data-transform",
        "azure-pipelines",
        "--regex-variant",
        "nonunicode",
    ],
}

# ---------------------------------------------------------------------------------------------
# Extracting command lines


_PLACEHOLDERS = [
    re.compile(r"\$\{\{.*?\}\}"),  # GitHub / Azure template expressions
    re.compile(r"\$\([^()]*\)"),  # $(command), Azure $(macro); repeated for nesting
    re.compile(r"\$\{[^}]*\}"),  # ${VAR}, ${array[@]}
    re.compile(r"\$(?:\w+|[?@#*!$])"),  # $VAR, $?
]
_OPERATORS = {";", ";;", "&&", "||", "|", "&", "(", ")", "{", "}"}
_KEYWORDS = {"if", "then", "else", "elif", "do", "while", "until", "!", "exec", "time", "--"}
_ASSIGNMENT = re.compile(r"^[A-Za-z_]\w*=")
_SUDO_OPTIONS_WITH_VALUE = {"-u", "-g", "-C", "-D"}


# A variable named like a URL stands for one (a webhook's --notify is checked as https).
_URL_VARIABLE = re.compile(r"\$\{?\w*URL\w*\}?")


def _substitute(text: str) -> str:
    text = _URL_VARIABLE.sub("https://hooks.example.com/dummy", text)
    for pattern in _PLACEHOLDERS:
        previous = None
        while previous != text:
            previous, text = text, pattern.sub("dummy", text)
    return text


def _is_tool(token: str) -> bool:
    return token == "entra-recovery" or token.endswith("/entra-recovery")


def _is_redirection(token: str) -> bool:
    return bool(token) and set(token) <= set("<>&|;()")


def _commands_in_line(line: str) -> Iterator[list[str]]:
    """Every `entra-recovery` argv (program name dropped) at a command position of one line."""
    lexer = shlex.shlex(_substitute(line), posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    tokens = list(lexer)
    at_command = True
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token in _OPERATORS or token in _KEYWORDS:
            at_command = True
        elif at_command and _ASSIGNMENT.match(token):
            pass  # VAR=value before a command
        elif at_command and token == "sudo":
            index += 1
            while index < len(tokens) and tokens[index].startswith("-"):
                index += 2 if tokens[index] in _SUDO_OPTIONS_WITH_VALUE else 1
            continue
        elif at_command and _is_tool(token):
            argv = []
            index += 1
            while index < len(tokens) and not _is_redirection(tokens[index]):
                argv.append(tokens[index])
                index += 1
            yield argv
            at_command = False
            continue
        else:
            at_command = False
        index += 1


def commands_in_script(script: str) -> Iterator[list[str]]:
    """`entra-recovery` argvs of a shell script (continuation lines joined)."""
    for line in re.sub(r"\\\n", " ", script).splitlines():
        if "entra-recovery" in line:
            yield from _commands_in_line(line)


def _steps(document: Any) -> Iterator[dict[str, Any]]:
    if isinstance(document, dict):
        for key, value in document.items():
            if key == "steps" and isinstance(value, list):
                yield from (step for step in value if isinstance(step, dict))
            else:
                yield from _steps(value)
    elif isinstance(document, list):
        for item in document:
            yield from _steps(item)


def _from_ci_yaml(path: Path) -> Iterator[list[str]]:
    for step in _steps(yaml.safe_load(path.read_text(encoding="utf-8"))):
        for key in ("run", "script", "bash"):
            if isinstance(step.get(key), str):
                yield from commands_in_script(step[key])


def _from_systemd(path: Path) -> Iterator[list[str]]:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("ExecStart="):
            yield from commands_in_script(line.removeprefix("ExecStart=").lstrip("-@+!:"))


def _cron_job_lines(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.lstrip().startswith("#")]


def _from_cron(path: Path) -> Iterator[list[str]]:
    for line in _cron_job_lines(path):
        yield from commands_in_script(line.split(None, 5)[5])


def _containers(path: Path) -> Iterator[dict[str, Any]]:
    for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
        if document["kind"] == "CronJob":
            yield from document["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]


def _from_kubernetes(path: Path) -> Iterator[list[str]]:
    for container in _containers(path):
        argv = [*container.get("command", []), *container.get("args", [])]
        if argv[:2] in (["/bin/sh", "-c"], ["sh", "-c"], ["/bin/bash", "-c"]):
            yield from commands_in_script(argv[2].replace("$$", "$"))
        elif argv and _is_tool(argv[0]):
            yield argv[1:]


_FENCE = re.compile(r"^ *```(?P<lang>\w*)\n(?P<body>.*?)^ *```", re.M | re.S)


def _from_markdown(path: Path) -> Iterator[list[str]]:
    for match in _FENCE.finditer(path.read_text(encoding="utf-8")):
        if match["lang"] in ("sh", "bash", "shell", "console"):
            yield from commands_in_script(match["body"])


SOURCES = {
    **{path: _from_ci_yaml for path in [*GITHUB, *AZURE]},
    SERVICE: _from_systemd,
    CRON: _from_cron,
    CRONJOB: _from_kubernetes,
    DOC: _from_markdown,
}


def _all_commands() -> list[Any]:
    found = []
    for path, extract in SOURCES.items():
        for number, argv in enumerate(extract(path), 1):
            name = f"{path.relative_to(ROOT)}#{number}:{' '.join(argv[:5])}"
            found.append(pytest.param(argv, id=name))
    return found


COMMANDS = _all_commands()

# ---------------------------------------------------------------------------------------------
# Parsing with the real CLI


def parse(argv: list[str]) -> click.Context:
    """Resolve argv through the real command tree exactly as a run would, without running it.

    `make_context` parses (types, choices, required arguments, unknown options) but calls no
    command body; `resilient_parsing` stays off so every mistake raises.
    """
    ctx = cli.make_context("entra-recovery", list(argv), resilient_parsing=False)
    command: click.Command = cli
    while isinstance(command, click.Group):
        rest = [*ctx._protected_args, *ctx.args]
        if not rest:
            raise click.UsageError(f"{ctx.command_path}: missing command", ctx)
        name, sub, rest = command.resolve_command(ctx, rest)
        assert name is not None and sub is not None
        ctx = sub.make_context(name, rest, parent=ctx)
        command = sub
    return ctx


@pytest.mark.parametrize("argv", COMMANDS)
def test_every_example_command_parses(argv: list[str]) -> None:
    """Each `entra-recovery` command line of the examples and the doc parses with the real CLI."""
    parse(argv)


@pytest.mark.parametrize(
    "argv",
    [
        ["plan", "preview", "p/", "--no-such-option"],
        ["plan", "validate", "--format", "gitlab", "p/"],
        ["no-such-command"],
        ["plan"],
        ["--auth", "telepathy", "plan", "validate", "p/"],
    ],
)
def test_parse_rejects_what_the_cli_rejects(argv: list[str]) -> None:
    """The parse check can fail: unknown options, choices and commands are usage errors."""
    with pytest.raises(click.UsageError):
        parse(argv)


def test_commands_are_found_in_every_source() -> None:
    """The extraction sees the commands it should (so an empty list cannot pass)."""
    by_source: dict[str, list[str]] = {}
    for param in COMMANDS:
        argv = param.values[0]
        assert isinstance(param.id, str) and isinstance(argv, list)
        by_source.setdefault(param.id.split("#")[0], []).append(" ".join(argv))
    assert set(by_source) == {str(path.relative_to(ROOT)) for path in SOURCES}
    nightly = by_source["examples/ci/github/nightly-preview.yml"]
    assert nightly == [
        "whoami",
        "plan validate --format github plans/dummy/",
        "plan preview plans/dummy/ --output-dir out/dummy --format json --format markdown "
        "--format html --wait-for-slot 2h --timeout 6h --notify https://hooks.example.com/dummy "
        "--notify-format teams",
    ]
    assert any(
        c.startswith("plan validate --format azure")
        for c in by_source[str(AZURE[0].relative_to(ROOT))]
    )
    assert "--parallel 4" in by_source["examples/ci/kubernetes/cronjob.yaml"][0]


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("entra-recovery whoami", [["whoami"]]),
        ("pip install entra-recovery && entra-recovery whoami", [["whoami"]]),
        ("sudo -u entra-recovery -H /opt/x/bin/entra-recovery whoami", [["whoami"]]),
        (
            "X=1 entra-recovery plan preview a \\\n  --format json >> log 2>&1",
            [["plan", "preview", "a", "--format", "json"]],
        ),
        (
            "kubectl exec -it p -- entra-recovery logout --tenant-id ${{ t }}",
            [["logout", "--tenant-id", "dummy"]],
        ),
        (
            'entra-recovery plan validate "${files[@]}" $(x) $VAR',
            [["plan", "validate", "dummy", "dummy", "dummy"]],
        ),
        ("echo entra-recovery whoami", []),
    ],
)
def test_extraction(script: str, expected: list[list[str]]) -> None:
    """Commands are found at command positions only, with placeholders made dummies."""
    assert list(commands_in_script(script)) == expected


# ---------------------------------------------------------------------------------------------
# Shapes and schemas


def _check_schema(kind: str, path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(check_jsonschema_cli.main, [*SCHEMA_ARGS[kind], str(path)])
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("kind", "path"),
    [("github", path) for path in GITHUB] + [("azure", path) for path in AZURE],
    ids=lambda value: value.name if isinstance(value, Path) else value,
)
def test_ci_files_match_their_platform_schema(kind: str, path: Path) -> None:
    """Each workflow/pipeline validates against check-jsonschema's vendored schema, offline."""
    code, output = _check_schema(kind, path)
    assert code == 0, output


@pytest.mark.parametrize(
    ("kind", "source", "breakage"),
    [
        ("github", GITHUB[0], ("runs-on:", "runs_on:")),
        ("azure", AZURE[0], ("    steps:\n", "    stepz:\n")),
    ],
)
def test_schema_check_catches_a_broken_file(
    kind: str, source: Path, breakage: tuple[str, str], tmp_path: Path
) -> None:
    """The schema check fails for a broken copy (so passing means something)."""
    text = source.read_text(encoding="utf-8")
    assert breakage[0] in text
    broken = tmp_path / source.name
    broken.write_text(text.replace(breakage[0], breakage[1], 1), encoding="utf-8")
    code, _ = _check_schema(kind, broken)
    assert code == 1


def _unit(path: Path) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(path.read_text(encoding="utf-8"), source=str(path))
    return parser


def test_systemd_units() -> None:
    """The service is a oneshot with ExecStart and drift as success; the timer starts it."""
    service = _unit(SERVICE)
    assert service.sections() == ["Unit", "Service"]
    assert service["Service"]["Type"] == "oneshot"
    assert service["Service"]["ExecStart"].startswith("/")  # systemd wants an absolute path
    assert service["Service"]["SuccessExitStatus"] == "2"
    timer = _unit(TIMER)
    assert timer.sections() == ["Unit", "Timer", "Install"]
    assert timer["Timer"]["Unit"] == SERVICE.name
    assert timer["Timer"]["OnCalendar"]
    assert timer["Install"]["WantedBy"] == "timers.target"


def test_cron_line() -> None:
    """One job line: five time fields, then a command that runs entra-recovery."""
    (line,) = _cron_job_lines(CRON)
    fields = line.split(None, 5)
    assert len(fields) == 6
    for field in fields[:5]:
        assert re.fullmatch(r"[\d*/,\-]+", field), field
    assert "%" not in fields[5]  # cron turns % into a newline
    assert list(_from_cron(CRON))


def test_kubernetes_cronjob() -> None:
    """The CronJob loads, is batch/v1, never overlaps, and mounts the state volume as HOME."""
    documents = list(yaml.safe_load_all(CRONJOB.read_text(encoding="utf-8")))
    (cronjob,) = [d for d in documents if d["kind"] == "CronJob"]
    assert cronjob["apiVersion"] == "batch/v1"
    assert len(cronjob["spec"]["schedule"].split()) == 5
    assert cronjob["spec"]["concurrencyPolicy"] == "Forbid"
    pod = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert pod["restartPolicy"] == "Never"
    (container,) = pod["containers"]
    env = {item["name"]: item.get("value") for item in container["env"]}
    mounts = {mount["mountPath"]: mount["name"] for mount in container["volumeMounts"]}
    assert env["HOME"] == env["ENTRA_RECOVERY_STATE_DIR"] == "/var/lib/entra-recovery"
    claims = {v["name"]: v.get("persistentVolumeClaim") for v in pod["volumes"]}
    assert claims[mounts["/var/lib/entra-recovery"]] == {"claimName": "entra-recovery-state"}
    assert {"PersistentVolumeClaim"} <= {d["kind"] for d in documents}
