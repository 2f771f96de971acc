"""What the tracking page offers the owner beyond agree/disagree/chase (issue 11, portal answers): the
rating on three points, more information or photos, withdrawal and the second-stage review, each offered
only when its service would accept it (the workflow row's states, the company's period, not done yet)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from docket.complaints import workflow
from docket.complaints.models import Complaint, OwnerRating, SecondReview
from docket.complaints.services.answers import PHOTOS_MAX, RATED_ENDINGS, policy_days, rating_round
from docket.core import clock


@dataclass
class Answers:
    can_rate: bool
    rate_closes: bool  # in follow-up: the rating is the follow-up and closes the complaint
    rating: OwnerRating | None
    can_add_info: bool
    can_withdraw: bool
    can_review: bool
    review: SecondReview | None
    review_until: datetime | None
    photos_max: int = PHOTOS_MAX


def options(c: Complaint) -> Answers:
    state = c.state
    now = clock.now()
    rating = OwnerRating.objects.filter(complaint=c, round=rating_round(c)).first()
    review = SecondReview.objects.filter(complaint=c).first()
    until = None
    if c.closed_at is not None and state in workflow.ACTIONS["owner_review_request"].sources:
        until = c.closed_at + timedelta(days=policy_days(c, "review_request_days"))
    in_period = until is not None and now <= until
    follow_up = state == "follow_up"
    return Answers(
        can_rate=rating is None
        and state in workflow.ACTIONS["owner_rate"].sources
        and (follow_up or (state == "closed" and in_period and c.closure_kind in RATED_ENDINGS)),
        rate_closes=follow_up,
        rating=rating,
        can_add_info=state in workflow.ACTIONS["owner_add_info"].sources,
        can_withdraw=state in workflow.ACTIONS["owner_withdraw"].sources,
        can_review=review is None and in_period,
        review=review,
        review_until=until if review is None and in_period else None,
    )
