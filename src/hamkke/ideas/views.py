"""Pages of the Oasis for citizens and the public: the ideas by newest, most supported and
closing soon with their filters; writing an idea, with the similar ideas already posted (loaded
as the person types, or shown for confirmation before saving); an idea with its supports,
timeline, answer, decision, implementation and discussion; supporting, following and
withdrawing; the adopted ideas and the hall of fame; and the experts' review and rescue.
Every page works without JavaScript; every action is offered by the policy its service
enforces."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit import ALL

from hamkke.accounts import policies as account_policies
from hamkke.core.city import selectors as city_selectors
from hamkke.core.comments import selectors as comment_selectors
from hamkke.core.policies import Decision
from hamkke.core.ratelimit import Limit, throttled
from hamkke.core.web import responses
from hamkke.core.web.bounds import whole_number
from hamkke.ideas import pipeline, policies, selectors, services
from hamkke.ideas.forms import SORT_LABELS, IdeaFilterForm, IdeaForm, RescueForm, RubricForm
from hamkke.ideas.models import Idea, Review

# A page number beyond this is the last one asked for: no list is that long, and the offset
# stays far from the database's integer limits.
MAX_PAGE = 10_000
ADOPTED_PER_PAGE = 20
# The similar-idea lookup reads this much of what is being written (the title and the start).
SIMILAR_TEXT = 2_000
WRITE = Limit("ideas.write", per_person="30/h", per_address="300/h")
SUPPORT = Limit("ideas.support", per_person="60/h", per_address="600/h")
FOLLOW = Limit("ideas.follow", per_person="60/h", per_address="600/h")
REVIEW = Limit("ideas.review", per_person="60/h", per_address="600/h")
# Asked on every pause in typing: generous for a person, not for a scraper.
SIMILAR = Limit("ideas.similar", per_address="120/m", methods=ALL)
# What the supports of a stage lead to, said beside its progress bar.
NEXT_STEP = {
    pipeline.OPEN: gettext_lazy(
        "With %(n)s supports by the deadline, the idea goes to the department concerned, which "
        "answers in writing."
    ),
    pipeline.ANSWERED: gettext_lazy(
        "With %(n)s supports by the deadline, the idea is discussed in public with officials "
        "and experts."
    ),
}


def _idea_or_404(idea_id: int) -> Idea:
    """A visible idea; a hidden one answers as missing."""
    return responses.found_or_404(selectors.public_idea, idea_id)


def _days_left(idea: Idea, now: datetime) -> int | None:
    """Whole days (rounded up) until the stage's supports are due; None when supports move
    nothing now or the stage has no deadline."""
    if idea.state not in pipeline.COLLECTING or idea.supports_due is None:
        return None
    return max(0, math.ceil((idea.supports_due - now) / timedelta(days=1)))


@dataclass(frozen=True)
class Card:
    """An idea as the lists show it: the supports that move it on and the days left."""

    idea: Idea
    needed: int | None
    days_left: int | None

    @property
    def share(self) -> int:
        """Per cent of the way to the supports needed (for the progress bar)."""
        if not self.needed:
            return 0
        return min(100, self.idea.supports * 100 // self.needed)


def _cards(ideas: list[Idea]) -> list[Card]:
    stages = services.stages_of(services.ideas_settings())
    now = timezone.now()
    return [
        Card(idea, pipeline.supports_needed(idea.state, stages), _days_left(idea, now))
        for idea in ideas
    ]


# --- the list ----------------------------------------------------------------------------------


def _page_number(request: HttpRequest) -> int:
    number = whole_number(request.GET.get("page", "")) or 1
    return min(max(number, 1), MAX_PAGE)


def index(request: HttpRequest) -> HttpResponse:
    """The ideas, newest, most supported or closing soon first, filtered by theme, district and
    state; a page at a time (one query for the page, whatever the list's length)."""
    form = IdeaFilterForm(
        request.GET or None,
        themes=selectors.themes(),
        districts=city_selectors.districts_of(city_selectors.current_city()),
    )
    filters = form.filters()
    number = _page_number(request)
    ideas, more = selectors.idea_page(filters, page=number, page_size=selectors.PAGE_SIZE)
    others = request.GET.copy()
    others.pop("page", None)
    tabs = []
    for code, label in SORT_LABELS.items():
        others["sort"] = code
        tabs.append((code, label, f"?{others.urlencode()}"))
    others.pop("sort", None)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "sort": filters.sort,
        "tabs": tabs,
        "cards": _cards(ideas),
        "page": number,
        "previous_page": number - 1 if number > 1 else None,
        "next_page": number + 1 if more else None,
        "query": query.urlencode(),
        "filtered": bool(filters.state or filters.theme or filters.district),
    }
    return render(request, "ideas/index.html", context)


# --- writing an idea -------------------------------------------------------------------------


def _idea_form(data=None, files=None) -> IdeaForm:
    return IdeaForm(
        data,
        files,
        themes=selectors.themes(),
        districts=city_selectors.districts_of(city_selectors.current_city()),
    )


def _write_page(
    request: HttpRequest,
    form: IdeaForm | None,
    *,
    decision: Decision,
    similar: list[tuple[Idea, float]] = (),
    seen: frozenset[int] = frozenset(),
    status: int = 200,
) -> HttpResponse:
    city = city_selectors.current_city()
    context = {
        "form": form,
        "decision": decision,
        "similar": similar,
        "confirming": bool(similar),
        "seen": ",".join(str(pk) for pk in sorted(seen)),
        # Files are not kept across a page that asks again: the person attaches them again.
        "files_dropped": request.method == "POST" and bool(request.FILES),
        "settings": services.ideas_settings(city),
        "script_messages": {
            "pin": _("The place of your idea"),
            "placeSet": _("Place set: %(lat)s, %(lon)s. Tap the map again to move it."),
        },
    }
    if not decision and decision.code == "verification_required":
        context["verify_url"] = account_policies.verification_page(list(policies.SUPPORT_METHODS))
    return render(request, "ideas/new.html", context, status=status)


@require_http_methods(["GET", "POST"])
@throttled(WRITE)
def new(request: HttpRequest) -> HttpResponse:
    """Write an idea. The similar ideas already posted are shown before it is saved: as the
    person types (the page's script), or else on a page that asks to confirm ("post anyway")
    when the text resembles ideas the person has not been shown yet."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    decision = policies.may_post(request.actor.user)
    if not decision:
        status = 200 if request.method == "GET" else decision.error.status
        return _write_page(request, None, decision=decision, status=status)
    if request.method == "GET":
        return _write_page(request, _idea_form(), decision=decision)
    form = _idea_form(request.POST, request.FILES)
    if not form.is_valid():
        return _write_page(request, form, decision=decision, status=400)
    seen = form.cleaned_data["seen"]
    similar = selectors.similar_ideas(form.text())
    if not form.cleaned_data["confirm"] and any(idea.pk not in seen for idea, _s in similar):
        shown = seen | {idea.pk for idea, _s in similar}
        return _write_page(request, form, decision=decision, similar=similar, seen=shown)

    def post() -> Idea:
        return services.post_idea_with_photos(actor=request.actor, **form.service_kwargs())

    if not form.submit(post):
        return _write_page(request, form, decision=decision, seen=seen, status=form.status_code)
    section = services.ideas_settings()
    messages.success(
        request,
        _(
            "Your idea is posted. It goes to the department concerned when %(n)s people support "
            "it within %(days)s days."
        )
        % {"n": f"{section.forward_supports:,}", "days": section.forward_days},
    )
    return redirect("ideas:idea", form.result.pk)


@require_GET
@throttled(SIMILAR)
def similar(request: HttpRequest) -> HttpResponse:
    """The ideas most like `text` (what is being written), as a fragment for the write page's
    script; nothing for an empty text."""
    text = request.GET.get("text", "")[:SIMILAR_TEXT]
    found = selectors.similar_ideas(text) if text.strip() else []
    return render(request, "ideas/_similar.html", {"similar": found})


# --- an idea -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SupportOffer:
    """What the idea page offers this person: the Support button (`decision` allowed), or the
    reason not and, where there is one, the step that would change it."""

    decision: Decision
    supported: bool = False
    action_url: str = ""
    action_label: str = ""


def _support_offer(request: HttpRequest, idea: Idea, coauthor_ids: frozenset[int]) -> SupportOffer:
    user = request.actor.user
    identity = selectors.supporter_identity(user)
    supported = selectors.has_supported(idea, identity)
    decision = policies.may_support(
        idea,
        user,
        identity,
        supported=supported,
        own_support=services.ideas_settings().own_support,
        coauthor_ids=coauthor_ids,
    )
    if decision.code == "not_signed_in":
        url = f"{reverse('account_login')}?{urlencode({'next': request.path})}"
        return SupportOffer(decision, action_url=url, action_label=_("Log in"))
    if decision.code == "verification_required":
        url = account_policies.verification_page(list(policies.SUPPORT_METHODS))
        return SupportOffer(decision, action_url=url, action_label=_("Verify my phone"))
    return SupportOffer(decision, supported=supported)


def _became(idea: Idea) -> list[tuple[str, str, str]]:
    """(what, title, address) of the budget proposal and the poll the idea became."""
    from hamkke.polls import policies as poll_policies

    found = []
    project = idea.budget_project
    if project is not None:
        url = reverse("budget:project", args=[project.cycle.slug, project.code])
        found.append((_("Participatory budget proposal"), project.title, url))
    poll = idea.poll
    if poll is not None and poll_policies.is_visible(poll):
        found.append((_("M-Voting poll"), poll.title, poll.get_absolute_url()))
    return found


def _expert_link(request: HttpRequest, idea: Idea) -> bool:
    """Whether to link an expert to their review of the idea: assigned to it, or the idea is
    where an expert may move it on (the review page says whatever refuses)."""
    user = request.actor.user
    expert = selectors.expert_of(user, city_selectors.current_city())
    if expert is None or not expert.active:
        return False
    rescuable = pipeline.next_state(idea.state, pipeline.RESCUE) is not None
    return rescuable or selectors.review_for(idea, user) is not None


def idea(request: HttpRequest, idea_id: int) -> HttpResponse:
    """An idea: who proposed it (public names), what, where, its supports and deadline, the
    actions this person may take, its timeline, the department's answer, the decision and
    its reasons, the implementation, what it became, the reviewers' mean scores once decided,
    and its discussion."""
    idea = _idea_or_404(idea_id)
    user = request.actor.user
    coauthors = list(idea.coauthors.all())
    card = _cards([idea])[0]
    decided = idea.state in pipeline.DECIDED
    taken_up = idea.state in pipeline.TAKEN_UP
    context = {
        "idea": idea,
        "card": card,
        "next_step": NEXT_STEP[idea.state] % {"n": f"{card.needed:,}"} if card.needed else "",
        "authors": [selectors.public_name(p) for p in (idea.author, *coauthors) if p is not None],
        "photos": selectors.photos_of(idea),
        "timeline": selectors.timeline_of(idea),
        "support": _support_offer(request, idea, frozenset(p.pk for p in coauthors)),
        "following": selectors.follows(idea, user),
        "may_follow": policies.may_follow(user),
        "may_withdraw": policies.may_withdraw(idea, user),
        "decided": decided,
        "taken_up": taken_up,
        "updates": selectors.updates_of(idea) if taken_up else [],
        "rubric": selectors.rubric_of(idea) if decided else None,
        "became": _became(idea),
        "expert_link": _expert_link(request, idea),
        "thread": comment_selectors.comment_thread(idea, viewer=request.actor),
    }
    return render(request, "ideas/idea.html", context)


def _button(
    request: HttpRequest, idea_id: int, act: Callable[[Idea], Any], done: str
) -> HttpResponse:
    """A button of the idea's page: the service called, and how it went said on the page."""
    idea = _idea_or_404(idea_id)
    responses.carry_out(request, lambda: act(idea), done)
    return redirect("ideas:idea", idea.pk)


@require_POST
@login_required
@throttled(SUPPORT)
def support(request: HttpRequest, idea_id: int) -> HttpResponse:
    return _button(
        request,
        idea_id,
        lambda idea: services.support_idea(actor=request.actor, idea=idea),
        _("Thank you: your support is counted. You will hear how the idea moves on."),
    )


@require_POST
@login_required
@throttled(FOLLOW)
def follow(request: HttpRequest, idea_id: int) -> HttpResponse:
    """Follow (follow=1) or stop following (follow=0) an idea."""
    on = request.POST.get("follow") != "0"
    return _button(
        request,
        idea_id,
        lambda idea: services.follow_idea(actor=request.actor, idea=idea, follow=on),
        _("You follow this idea: you will hear of each step.")
        if on
        else _("You no longer follow this idea."),
    )


@require_POST
@login_required
@throttled(FOLLOW)
def withdraw(request: HttpRequest, idea_id: int) -> HttpResponse:
    return _button(
        request,
        idea_id,
        lambda idea: services.withdraw_idea(actor=request.actor, idea=idea),
        _("Your idea is withdrawn. It stays on its page, marked withdrawn."),
    )


# --- adopted ideas and their proposers -------------------------------------------------------


def adopted(request: HttpRequest) -> HttpResponse:
    """Every idea adopted in whole or in part, with its implementation, and how many were
    adopted each year and under each theme."""
    page, query = responses.page_of(request, selectors.adopted_ideas(), ADOPTED_PER_PAGE)
    counts = selectors.adoption_counts()
    names = {theme.code: theme.display_name for theme in selectors.themes()}
    by_theme = [(names.get(row["code"], row["name"]), row["count"]) for row in counts["by_theme"]]
    context = {
        "page": page,
        "query": query,
        "total": counts["total"],
        "by_year": counts["by_year"],
        "by_theme": by_theme,
        "most": max([n for _y, n in counts["by_year"]] + [n for _t, n in by_theme] + [1]),
    }
    return render(request, "ideas/adopted.html", context)


def hall_of_fame(request: HttpRequest) -> HttpResponse:
    """The proposers whose ideas were adopted, by how many (their public names only)."""
    return render(request, "ideas/hall_of_fame.html", {"fame": selectors.hall_of_fame()})


# --- experts ---------------------------------------------------------------------------------


@login_required
def reviews(request: HttpRequest) -> HttpResponse:
    """The ideas assigned to me for review, the unscored first."""
    actor = request.actor
    expert = selectors.expert_of(actor.user, city_selectors.current_city())
    context = {
        "acting": policies.acting_expert(actor, expert),
        "reviews": selectors.reviews_assigned_to(actor.user) if expert is not None else [],
    }
    return render(request, "ideas/reviews.html", context, status=200 if expert else 403)


def _rubric_initial(review: Review | None) -> dict[str, Any]:
    if review is None or review.scored_at is None:
        return {}
    return {
        "feasibility": review.feasibility,
        "effect": review.effect,
        "cost": review.cost,
        "originality": review.originality,
        "opinion": review.opinion,
    }


def _review_page(
    request: HttpRequest,
    idea: Idea,
    *,
    rubric_form: RubricForm | None = None,
    rescue_form: RescueForm | None = None,
    status: int | None = None,
) -> HttpResponse:
    """The idea as an expert reviews it: the rubric for the expert assigned to it, the rescue
    for any expert where the idea may be moved on; each refusal said in place of its form."""
    actor = request.actor
    expert = selectors.expert_of(actor.user, city_selectors.current_city())
    review = selectors.review_for(idea, actor.user)
    may_score = policies.may_score(review, actor, idea)
    may_rescue = policies.may_rescue(idea, actor, expert)
    context = {
        "idea": idea,
        "review": review,
        "may_score": may_score,
        "may_rescue": may_rescue,
        # The rescue is offered to an expert not assigned to the idea, or whenever it may be.
        "show_rescue": review is None or bool(may_rescue),
        "rubric_form": rubric_form or RubricForm(initial=_rubric_initial(review)),
        "rescue_form": rescue_form or RescueForm(),
        "card": _cards([idea])[0],
    }
    if status is None:
        status = 200 if expert is not None or review is not None else 403
    return render(request, "ideas/review.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
@throttled(REVIEW)
def review(request: HttpRequest, idea_id: int) -> HttpResponse:
    """An expert's review of an idea: the rubric scores (changed by sending them again while
    the idea is under review)."""
    idea = _idea_or_404(idea_id)
    if request.method == "GET":
        return _review_page(request, idea)
    form = RubricForm(request.POST)

    def score() -> Review:
        opinion = form.cleaned_data["opinion"]
        return services.score_review(
            actor=request.actor, idea=idea, scores=form.scores(), opinion=opinion
        )

    if not form.submit(score):
        return _review_page(request, idea, rubric_form=form, status=form.status_code)
    messages.success(
        request, _("Your scores are saved. You may change them while the idea is under review.")
    )
    return redirect("ideas:review", idea.pk)


@require_POST
@login_required
@throttled(REVIEW)
def rescue(request: HttpRequest, idea_id: int) -> HttpResponse:
    """An expert moves an idea on below the threshold (services.rescue_idea)."""
    idea = _idea_or_404(idea_id)
    form = RescueForm(request.POST)

    def move() -> Idea:
        reason = form.cleaned_data["reason"]
        return services.rescue_idea(actor=request.actor, idea=idea, reason=reason)

    if not form.submit(move):
        return _review_page(request, idea, rescue_form=form, status=form.status_code)
    messages.success(request, _("The idea moves on: your reasons are on its timeline."))
    return redirect("ideas:idea", idea.pk)
