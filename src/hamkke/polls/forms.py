"""Forms of the citizens' pages of M-Voting: the ballot (one field per question, a ranking as
numbered selects), a citizen's proposed poll and the receipt lookup. They only parse what was
sent: every rule of a ballot or a proposal stays in services.py, so a ballot breaking one still
reaches the service and its refusal is shown beside the question it concerns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from hamkke.core.errors import DomainError
from hamkke.core.web.forms import DomainErrorsInline
from hamkke.polls import services
from hamkke.polls.models import Kind, Poll, Question
from hamkke.polls.services import QuestionDraft

# A citizen's poll asks a few questions; the city's desk has room for more.
MAX_PROPOSED_QUESTIONS = 5
# The refusals of a voting code belong beside the code field.
CODE_REFUSALS = ("code_required", "wrong_code")
# A code typed from paper (a voting code, a receipt): no autofill, capitals, no spell checks.
CODE_INPUT = {"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}


@dataclass(frozen=True)
class BallotEntry:
    """One question as the ballot page shows it: its fields (one, or one per rank), what the
    person chose so far, and the refusals to show beside it."""

    question: Question
    number: int
    fields: list[Any]  # bound fields
    errors: list[str]
    hint: str
    # (radio or checkbox, option) for a single, multiple or scale question; (None, option) for
    # a ranking, whose options are listed apart from its numbered selects.
    choices: list[tuple[Any, Any]]


def _field_name(question: Question, rank: int | None = None) -> str:
    return f"q{question.pk}" if rank is None else f"q{question.pk}_{rank}"


class BallotForm(DomainErrorsInline, forms.Form):
    """A ballot of `poll` over `questions` (selectors.questions_of): a radio group for a single
    choice or a scale, checkboxes for several choices, and for a ranking one select per place
    ("1st choice", "2nd choice", …), so that it needs no script. A code field for code polls."""

    def __init__(self, poll: Poll, questions: Sequence[Question], *args, with_code: bool, **kw):
        super().__init__(*args, **kw)
        self.poll = poll
        self.questions = list(questions)
        self.question_errors: dict[int, list[str]] = {}
        for question in self.questions:
            choices = [(str(option.pk), option.text) for option in question.options.all()]
            if question.kind == Kind.RANKING:
                for rank in range(1, len(choices) + 1):
                    self.fields[_field_name(question, rank)] = forms.ChoiceField(
                        label=_("Choice %(n)d") % {"n": rank},
                        choices=[("", _("— not ranked —")), *choices],
                        required=False,
                    )
            elif question.kind == Kind.MULTIPLE:
                self.fields[_field_name(question)] = forms.MultipleChoiceField(
                    label=question.text,
                    choices=choices,
                    required=False,
                    widget=forms.CheckboxSelectMultiple,
                )
            else:
                self.fields[_field_name(question)] = forms.ChoiceField(
                    label=question.text, choices=choices, required=False, widget=forms.RadioSelect
                )
        if with_code:
            self.fields["code"] = forms.CharField(
                label=_("Your voting code"),
                max_length=40,
                required=False,
                help_text=_("As printed on the paper you were given, e.g. ABCD-EFGH-JKMN."),
                widget=forms.TextInput(attrs=CODE_INPUT),
            )

    def answers(self) -> dict[int, list[int]]:
        """The options chosen, by question id (a ranking in its order); valid forms only."""
        data = self.cleaned_data
        answers: dict[int, list[int]] = {}
        for question in self.questions:
            if question.kind == Kind.RANKING:
                ranks = range(1, len(question.options.all()) + 1)
                chosen = [data.get(_field_name(question, rank)) for rank in ranks]
            elif question.kind == Kind.MULTIPLE:
                chosen = data.get(_field_name(question)) or []
            else:
                chosen = [data.get(_field_name(question))]
            answers[question.pk] = [int(option) for option in chosen if option]
        return answers

    def voting_code(self) -> str | None:
        return self.cleaned_data.get("code", "") if "code" in self.fields else None

    def add_domain_error(self, exc: DomainError) -> None:
        if exc.code == "invalid_ballot":
            # The service says what is wrong with the whole ballot; each question's part goes
            # beside it.
            found = services.problems_by_question(self.poll, self.answers())
            for question_id, messages in found.items():
                self.question_errors.setdefault(question_id, []).extend(messages)
            if found:
                return
        if exc.code in CODE_REFUSALS and "code" in self.fields:
            self.add_error("code", exc.message)
            return
        super().add_domain_error(exc)

    def entries(self) -> list[BallotEntry]:
        entries = []
        for number, question in enumerate(self.questions, start=1):
            options = question.options.all()
            if question.kind == Kind.RANKING:
                names = [_field_name(question, rank) for rank in range(1, len(options) + 1)]
            else:
                names = [_field_name(question)]
            fields = [self[name] for name in names]
            errors = [*self.question_errors.get(question.pk, [])]
            for field in fields:
                errors.extend(field.errors)
            if question.kind == Kind.RANKING:
                choices = [(None, option) for option in options]
            else:
                choices = list(zip(fields[0].subwidgets, options, strict=True))
            hint = _hint(question)
            entries.append(BallotEntry(question, number, fields, errors, hint, choices))
        return entries


def _hint(question: Question) -> str:
    if question.kind == Kind.SINGLE:
        return str(_("Choose one."))
    if question.kind == Kind.SCALE:
        return str(_("Choose one step, from 1 (the first) to 5 (the last)."))
    if question.kind == Kind.MULTIPLE:
        if question.max_choices:
            return ngettext(
                "Choose at most %(n)d option.",
                "Choose at most %(n)d options.",
                question.max_choices,
            ) % {"n": question.max_choices}
        return str(_("Choose as many as you like."))
    return str(
        _(
            "Rank the options you want, the one you prefer most first: choice 1, then 2, and so "
            "on. You need not rank them all. If your first choice is out of the count, your vote "
            "goes to your next choice."
        )
    )


class ProposalForm(DomainErrorsInline, forms.Form):
    """A citizen's proposed poll: title, description and up to five questions, each with its
    kind and its options one per line. Blocks are filled in order; empty ones at the end are
    left out."""

    required_css_class = "required"

    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        error_messages={"required": _("Give your poll a title.")},
        help_text=_("The question the city should ask, in a few words."),
    )
    description = forms.CharField(
        label=pgettext_lazy("poll", "Description"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": 5000}),
        error_messages={"required": _("Say why the city should ask this.")},
        help_text=_("Why it matters and what the city could do. Published: write no names."),
    )
    results_live = forms.BooleanField(
        label=_("Show the results while the poll runs"),
        required=False,
        help_text=_("Otherwise they are shown once it closes, so that early counts sway no one."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, MAX_PROPOSED_QUESTIONS + 1):
            self.fields[f"q{n}_text"] = forms.CharField(
                label=_("Question %(n)d") % {"n": n}, max_length=300, required=False
            )
            self.fields[f"q{n}_kind"] = forms.ChoiceField(
                label=_("Kind of answer"), choices=Kind.choices, initial=Kind.SINGLE
            )
            self.fields[f"q{n}_options"] = forms.CharField(
                label=_("Options, one per line"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text=_("At least two; for a scale of 1 to 5 none, or five labels."),
            )
            self.fields[f"q{n}_max"] = forms.IntegerField(
                label=_("At most this many choices (several choices only)"),
                required=False,
                min_value=1,
            )

    def blocks(self) -> list[list[Any]]:
        """The bound fields of each question block, for the template."""
        return [
            [self[f"q{n}_{part}"] for part in ("text", "kind", "options", "max")]
            for n in range(1, MAX_PROPOSED_QUESTIONS + 1)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        filled = [
            n
            for n in range(1, MAX_PROPOSED_QUESTIONS + 1)
            if (data.get(f"q{n}_text") or "").strip() or (data.get(f"q{n}_options") or "").strip()
        ]
        for n in filled:
            if not (data.get(f"q{n}_text") or "").strip():
                self.add_error(f"q{n}_text", _("Write the question these options answer."))
        if filled and filled != list(range(1, len(filled) + 1)):
            first_gap = min(set(range(1, max(filled) + 1)) - set(filled))
            self.add_error(
                f"q{first_gap}_text",
                _("Fill the questions in order: this one is empty but a later one is not."),
            )
        self.question_count = len(filled)
        return data

    def drafts(self) -> list[QuestionDraft]:
        data = self.cleaned_data
        return [
            QuestionDraft(
                text=data[f"q{n}_text"],
                kind=data[f"q{n}_kind"],
                options=[line for line in data[f"q{n}_options"].splitlines() if line.strip()],
                max_choices=data.get(f"q{n}_max"),
            )
            for n in range(1, self.question_count + 1)
        ]

    def domain_error_field(self, exc: DomainError) -> str | None:
        # The service numbers the questions it refuses "questions.N", as this form does.
        if exc.field and exc.field.startswith("questions."):
            name = f"q{exc.field.removeprefix('questions.')}_text"
            return name if name in self.fields else None
        return super().domain_error_field(exc)


class ReceiptForm(forms.Form):
    receipt = forms.CharField(
        label=_("Receipt code"),
        max_length=40,
        error_messages={"required": _("Type the code on your receipt.")},
        help_text=_("13 letters and digits, e.g. 0A1B-2C3D-4E5F6; dashes and case do not matter."),
        widget=forms.TextInput(attrs=CODE_INPUT),
    )
