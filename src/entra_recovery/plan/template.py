"""
The starter plan `entra-recovery plan init` writes: every key, commented, and valid as is.

It targets the demo tenant, so `entra-recovery --emulator plan preview <file>` works at once;
replace the tenant id before pointing it at a real tenant.
"""

from __future__ import annotations

STARTER_PLAN = """\
# Editor completion: `entra-recovery plan schema > recovery-plan.schema.json`, then make the
# next line start with "# yaml-language-server:" (pointing at where you saved the schema).
#   yaml-language-server: $schema=recovery-plan.schema.json
# A recovery plan: which tenant, which snapshot, which objects, and whether it may apply.
# Check it with `entra-recovery plan validate FILE`; see what it would change with
# `entra-recovery plan preview FILE` (it never writes to the tenant in mode preview).
apiVersion: entra-recovery/v1
kind: RecoveryPlan
metadata:
  name: my-recovery                # lowercase letters, digits and '-'; at most 63 characters
  description: Undo the changes made during the incident
  # change: CHG0012345             # change reference; required when mode is apply
  owner: identity-ops@contoso.com
  reviewers: []
  labels: {}
# The tenant id (GUID). This is the demo tenant `--emulator` serves: replace it with yours.
tenant: 5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b
snapshot:                          # exactly one of:
  latest: true                     #   the newest snapshot
  # id: MjAyNi0xMS0yN1QwMjozMDowMFo=   # a snapshot id (`entra-recovery snapshot list`)
  # before: 2026-11-27T08:00:00Z   #   the newest snapshot at or before this instant (with a zone)
scope:                             # exactly one of:
  entityTypes: [conditionalAccessPolicy, namedLocationPolicy]
  # objects:                       #   objects by id, each entity type at most once
  #   - entityType: user
  #     ids: [a1b2c3d4-0001-4000-8000-000000000001]
mode: preview                      # preview (never writes) or apply (needs metadata.change)
guards:
  maxChanges: 50                   # more changes than this: preview flags it, apply refuses
  allowedActions: [update, restore]    # add softDelete only if the recovery may delete objects
  protectedObjects: []             # object ids apply must never touch (break-glass accounts)
# approval:                        # for mode apply: the fingerprint `plan preview` printed
#   fingerprint: sha256:<64 hex digits>
#   approvedBy: [alice@contoso.com]
report:
  formats: [markdown, json]        # written by `plan preview --output-dir DIR`
"""
