"""Every action the code records has a kind (DPA 2018 s.62), so an action added later must be classified.

The actions are read from the source as the brief's grep reads them: every `action=` keyword with a
string, or a module constant holding one. Names built at run time are listed below with where they come
from; a new one fails until it is classified here and in iom/core/audit.py.
"""

import ast
from pathlib import Path

import pytest
from django.contrib import admin

from iom.core import audit
from iom.core.admin import AuditedAdmin

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("iom", "cohorts", "supervision", "partners", "reports", "dataprotection")

# Action names the code builds at run time: (file, expression) -> why it is classified.
BUILT_AT_RUN_TIME = {
    ("iom/core/audit.py", "action"): "record's own parameter",
    ("reports/management/commands/seed_scale.py", "action"): "demo rows copying classified literals",
    ("iom/core/admin.py", "f'{obj._meta.model_name}.{action}'"): "administration, see the admin test",
    ("iom/core/admin.py", "f'{saved._meta.model_name}.saved'"): "administration, see the admin test",
    ("iom/core/admin.py", "f'{deleted._meta.model_name}.deleted'"): "administration, see the admin test",
    ("iom/core/admin.py", "f'{obj._meta.model_name}.deleted'"): "administration, see the admin test",
}


def _source_files() -> list[Path]:
    return sorted(
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    )


def _string_constants(tree: ast.Module) -> dict[str, str]:
    """Module-level NAME = "text" assignments, for actions named by a constant."""
    constants = {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    constants[target.id] = node.value.value
    return constants


def _is_argparse(call: ast.Call) -> bool:
    return isinstance(call.func, ast.Attribute) and call.func.attr == "add_argument"


def _writes_an_event(call: ast.Call) -> bool:
    """audit.record(...), AuditEvent(...) or AuditEvent.objects.create(...): where a name built at run
    time becomes an event (elsewhere, e.g. the audit viewer's filters, it only reads one)."""
    name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
    return name in {"record", "AuditEvent", "create"}


def recorded_actions() -> tuple[set[str], set[tuple[str, str]]]:
    """(literal action names, (file, expression) for names built at run time)."""
    literals: set[str] = set()
    built: set[tuple[str, str]] = set()
    for path in _source_files():
        tree = ast.parse(path.read_text(), filename=str(path))
        constants = _string_constants(tree)
        relative = path.relative_to(ROOT).as_posix()
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call) or _is_argparse(call):
                continue
            for keyword in call.keywords:
                if keyword.arg != "action":
                    continue
                value = keyword.value
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    literals.add(value.value)
                elif isinstance(value, ast.Name) and value.id in constants:
                    literals.add(constants[value.id])
                elif _writes_an_event(call):
                    built.add((relative, ast.unparse(value)))
    return literals, built


LITERALS, BUILT = recorded_actions()


def test_the_scan_finds_the_actions_it_should():
    # A guard on the scan itself: a broken walk would find nothing and pass everything.
    assert {"nominal.viewed", "referral.sent", "caseload.exported", "tracker_import.applied"} <= LITERALS
    assert ("iom/core/admin.py", "f'{obj._meta.model_name}.{action}'") in BUILT


@pytest.mark.parametrize("action", sorted(LITERALS))
def test_every_recorded_action_has_a_kind(action):
    assert action in audit.ACTION_KINDS, (
        f"{action!r} is recorded but has no kind: add it to iom/core/audit.py _KIND_ACTIONS "
        "(and to docs/decisions/0015 if it is a new sort of thing)"
    )


def test_every_action_built_at_run_time_is_accounted_for():
    unknown = BUILT - set(BUILT_AT_RUN_TIME)
    assert not unknown, f"action names built at run time with no classification: {sorted(unknown)}"


def _audited_admin_models() -> set[str]:
    names = set()
    for model, model_admin in admin.site._registry.items():
        if isinstance(model_admin, AuditedAdmin):
            names.add(str(model._meta.model_name))
            names.update(str(inline.model._meta.model_name) for inline in model_admin.inlines)
    return names


def test_every_model_the_admin_audits_is_classified_as_administration():
    models = _audited_admin_models()
    assert "user" in models
    for model in models:
        for verb in audit.ADMIN_VERBS:
            assert audit.kind_of(f"{model}.{verb}") == audit.ADMINISTRATION, f"{model}.{verb}"


def test_each_kind_has_a_label_and_each_classified_action_one_kind():
    assert set(audit.ACTION_KINDS.values()) <= set(audit.KINDS)
    assert set(audit.KINDS) >= {
        "collection",
        "alteration",
        "consultation",
        "disclosure",
        "combination",
        "erasure",
    }


def test_an_unknown_action_is_unclassified_not_guessed():
    assert audit.kind_of("contact.teleported") == audit.UNCLASSIFIED
    assert audit.kind_label(audit.kind_of("contact.teleported")) == "Unclassified"
    # A case record's action that happens to end like an admin verb is not administration.
    assert audit.kind_of("nominal.created") == audit.COLLECTION


def test_actions_of_a_kind_are_those_kind_of_puts_there():
    for kind in audit.KINDS:
        assert all(audit.kind_of(action) == kind for action in audit.actions_of_kind(kind))
    assert "user.changed" in audit.actions_of_kind(audit.ADMINISTRATION)


def test_no_action_is_classified_twice():
    listed = [action for actions in audit._KIND_ACTIONS.values() for action in actions]
    assert len(listed) == len(set(listed))


def test_every_classified_action_is_one_the_code_records():
    # A renamed action would otherwise leave its old name classified and the new one unclassified.
    assert set(audit.ACTION_KINDS) - LITERALS == set()
