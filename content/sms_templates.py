"""Domestic SMS templates (Alibaba Cloud, Tencent Cloud): preview, billing, lints, parameters.

Pure. A mainland SMS gateway sends only pre-approved templates: a template code, a
【signature】 and the variables' values, never free text. One `TemplateSpec` is one approved
(or pending) template of one provider for one catalog key; the registry (storage) holds them.

- Alibaba: named variables, `${name}` in the text; `TemplateParam` is a JSON object whose
  values must all be strings.
- Tencent: positional variables, `{1}`, `{2}` … in the text; `TemplateParamSet` is a list.

Billing follows the carriers' rule that both providers publish: the handset text (signature
included) of at most 70 characters is one part; a longer one is split into 67-character
parts (and shown as one message). At most 500 characters.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from content.errors import InputError

ALIYUN, TENCENT = "aliyun", "tencent"
PROVIDERS = (ALIYUN, TENCENT)
NOTIFICATION = "notification"
IN_REVIEW, APPROVED, REJECTED = "in_review", "approved", "rejected"
STATUSES = (IN_REVIEW, APPROVED, REJECTED)

ONE_PART, LONG_PART, MAX_CHARS = 70, 67, 500

_ALIYUN_VAR = re.compile(r"\$\{([A-Za-z][A-Za-z0-9_]*)\}")
_TENCENT_VAR = re.compile(r"\{(\d+)\}")
_URL = re.compile(r"(https?://|www\.|\b[a-z0-9-]+\.(?:com|cn|net|org|top|xyz)\b)", re.I)
_MARKETING_OPT_OUT = re.compile(
    r"(拒收请回复\s*R|回复\s*(?:TD|T|N|R)\s*退订|退订回\s*TD?|退訂回\s*TD?|Reply TD to stop)", re.I
)


@dataclass(frozen=True, slots=True)
class Variable:
    """One template variable: our catalog parameter, its slot at the provider, a max length.

    `slot` is the Alibaba variable name (`${slot}`) or the Tencent position ("1", "2" …).
    """

    param: str
    slot: str
    max_len: int = 20


@dataclass(frozen=True, slots=True)
class TemplateSpec:
    key: str
    provider: str
    template_code: str
    sign_name: str
    text: str  # the approved text, verbatim, with the provider's placeholders
    variables: tuple[Variable, ...] = ()
    template_class: str = NOTIFICATION
    status: str = IN_REVIEW
    sdk_app_id: str | None = None  # Tencent's SmsSdkAppId (from settings when None)
    extra: Mapping[str, Any] = field(default_factory=dict)
    version_id: int | None = None  # the registry version (recorded on each message sent)

    @property
    def approved(self) -> bool:
        return self.status == APPROVED


class TemplateParamError(InputError, ValueError):
    """The values do not fit the approved template (missing, too long, a URL …)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code


def slots_in(provider: str, text: str) -> list[str]:
    """The placeholders of an approved text, in order of appearance (Tencent: positions)."""
    pattern = _ALIYUN_VAR if provider == ALIYUN else _TENCENT_VAR
    return [m.group(1) for m in pattern.finditer(text)]


def fill(spec: TemplateSpec, values: Mapping[str, str], sample: bool = False) -> str:
    """The template text with the values in (no signature). `sample`: `{param}` for absent."""
    by_slot = {v.slot: v.param for v in spec.variables}
    pattern = _ALIYUN_VAR if spec.provider == ALIYUN else _TENCENT_VAR

    def sub(m: re.Match[str]) -> str:
        param = by_slot.get(m.group(1), m.group(1))
        if param in values:
            return str(values[param])
        return f"{{{param}}}" if sample else ""

    return pattern.sub(sub, spec.text)


def handset_text(spec: TemplateSpec, values: Mapping[str, str], sample: bool = False) -> str:
    """What the handset shows: 【签名】 + text."""
    return f"【{spec.sign_name}】{fill(spec, values, sample)}"


def billed_parts(text: str) -> int:
    n = len(text)
    if n == 0:
        return 0
    return 1 if n <= ONE_PART else math.ceil(n / LONG_PART)


@dataclass(frozen=True, slots=True)
class Preview:
    text: str
    chars: int
    parts: int


def preview(spec: TemplateSpec, values: Mapping[str, str] | None = None) -> Preview:
    """Exactly what the handset shows, with the character count and the billed parts."""
    text = handset_text(spec, values or {}, sample=values is None)
    return Preview(text, len(text), billed_parts(text))


def provider_params(spec: TemplateSpec, values: Mapping[str, Any]) -> dict[str, str] | list[str]:
    """The provider's parameters: a dict of strings (Alibaba) or a positional list (Tencent).

    Refuses (never truncates) a value over its maximum length, a URL, or 【】 in a value.
    """
    out: dict[str, str] = {}
    for var in spec.variables:
        if var.param not in values or values[var.param] is None:
            raise TemplateParamError("missing_param", f"{spec.key}: no value for {var.param!r}")
        value = str(values[var.param])  # Alibaba rejects non-string values
        if len(value) > var.max_len:
            raise TemplateParamError(
                "param_too_long", f"{spec.key}: {var.param!r} has {len(value)} > {var.max_len}"
            )
        if _URL.search(value):
            raise TemplateParamError("param_url", f"{spec.key}: {var.param!r} holds a URL")
        if "【" in value or "】" in value:
            raise TemplateParamError("param_brackets", f"{spec.key}: {var.param!r} holds 【】")
        out[var.slot] = value
    if spec.provider == ALIYUN:
        return out
    positions = sorted(out, key=int)
    return [out[p] for p in positions]


@dataclass(frozen=True, slots=True)
class Lint:
    code: str  # stable, for tests and the console's message keys
    severity: str  # "error" blocks approval export; "warning" is shown
    detail: str = ""


def lint(
    spec: TemplateSpec,
    *,
    catalog_text: str | None = None,
    sample_values: Mapping[str, str] | None = None,
) -> list[Lint]:
    """What the providers' reviewers and our send path would refuse, before anyone submits it."""
    found: list[Lint] = []
    text = spec.text
    if not text.strip():
        found.append(Lint("empty", "error"))
    if _URL.search(text):
        found.append(Lint("url", "error", "links are refused in notification templates"))
    if "【" in text or "】" in text:
        found.append(Lint("brackets", "error", "【】 denote the signature only"))
    if spec.template_class == NOTIFICATION and _MARKETING_OPT_OUT.search(text):
        found.append(Lint("marketing_opt_out", "error", "no 拒收请回复R in a notification"))
    if not spec.sign_name.strip():
        found.append(Lint("no_signature", "error"))
    elif "【" in spec.sign_name or "】" in spec.sign_name:
        found.append(Lint("signature_brackets", "error", "the signature without 【】"))
    slots = slots_in(spec.provider, text)
    declared = [v.slot for v in spec.variables]
    if sorted(set(slots)) != sorted(set(declared)):
        found.append(Lint("variables_mismatch", "error", f"text has {slots}, declared {declared}"))
    if spec.provider == TENCENT:
        if slots and sorted(int(s) for s in set(slots)) != list(range(1, len(set(slots)) + 1)):
            found.append(Lint("positions", "error", "Tencent variables are {1}, {2} … in order"))
        if re.search(r"\{\d+\}\{\d+\}", text):
            found.append(Lint("adjacent_variables", "error"))
    else:
        for s in slots:
            if s.lower() in {"email", "mobile", "id", "nick", "site"}:
                found.append(Lint("reserved_name", "error", s))
    for v in spec.variables:
        if v.max_len <= 0:
            found.append(Lint("max_len", "error", v.param))
    sample = sample_values or {v.param: "x" * v.max_len for v in spec.variables}
    try:
        provider_params(spec, sample)
    except TemplateParamError as exc:
        found.append(Lint(exc.code, "error", str(exc)))
    full = handset_text(spec, sample)
    if len(full) > MAX_CHARS:
        found.append(Lint("too_long", "error", f"{len(full)} > {MAX_CHARS} characters"))
    if catalog_text is not None and not matches_catalog(spec, catalog_text):
        found.append(
            Lint("catalog_drift", "warning", "the catalog text no longer matches this template")
        )
    return found


_LEADING_SIGN = re.compile(r"^\s*【[^】]*】")
_CATALOG_VAR = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def catalog_to_provider_text(provider: str, catalog_text: str) -> tuple[str, tuple[Variable, ...]]:
    """A catalog text ("{name}，您好") as a provider's template text and variables.

    Used for the demo registry and as the starting point of a new entry in the editor.
    """
    variables: list[Variable] = []
    slot_of: dict[str, str] = {}

    def sub(m: re.Match[str]) -> str:
        param = m.group(1)
        if param not in slot_of:
            slot = param if provider == ALIYUN else str(len(slot_of) + 1)
            slot_of[param] = slot
            variables.append(Variable(param, slot))
        slot = slot_of[param]
        return f"${{{slot}}}" if provider == ALIYUN else f"{{{slot}}}"

    # The signature is the provider's 【…】 prefix, and opting out is our own keyword logic.
    plain = _MARKETING_OPT_OUT.sub("", _LEADING_SIGN.sub("", catalog_text)).strip()
    text = _CATALOG_VAR.sub(sub, plain).replace("【", "[").replace("】", "]")
    return text, tuple(variables)


def matches_catalog(spec: TemplateSpec, catalog_text: str) -> bool:
    """Whether the catalog's current text is still the approved template (placeholders aside)."""
    expected, _ = catalog_to_provider_text(spec.provider, catalog_text)
    norm = _normalize_slots(spec.provider, spec.text)
    return _normalize_slots(spec.provider, expected) == norm


def _normalize_slots(provider: str, text: str) -> str:
    pattern = _ALIYUN_VAR if provider == ALIYUN else _TENCENT_VAR
    return pattern.sub("{}", text).strip()


def export_lines(specs: Sequence[TemplateSpec]) -> list[dict[str, str]]:
    """Rows to submit for approval: provider, key, signature, class, text, sample."""
    rows = []
    for s in specs:
        p = preview(s)
        rows.append(
            {
                "provider": s.provider,
                "key": s.key,
                "sign_name": s.sign_name,
                "class": s.template_class,
                "template_code": s.template_code,
                "text": s.text,
                "variables": ";".join(f"{v.slot}={v.param}<={v.max_len}" for v in s.variables),
                "handset_sample": p.text,
                "chars": str(p.chars),
                "parts": str(p.parts),
                "status": s.status,
            }
        )
    return rows
