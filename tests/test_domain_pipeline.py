"""The concern pipeline of domain.md §1: every allowed and every refused transition."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from grassroots_tui.config import Settings
from grassroots_tui.domain import pipeline
from grassroots_tui.domain.codes import Action, Outcome, Satisfaction, Status, Supervision, Urgency
from grassroots_tui.domain.deadlines import compute_deadlines
from grassroots_tui.domain.errors import DomainError

TZ = ZoneInfo("Asia/Shanghai")
SETTINGS = Settings()
RULES, CAL = SETTINGS.sla, SETTINGS.calendar
RECEIVED = datetime(2026, 9, 30, 10, 0, tzinfo=TZ)
NOW = datetime(2026, 10, 9, 9, 0, tzinfo=TZ)
S, A = Status, Action


def snap(status: Status, **kw) -> pipeline.ConcernSnapshot:
    dl = compute_deadlines(RECEIVED, Urgency.ORDINARY, RULES, CAL)
    base = dict(status=status, received_at=RECEIVED, dispatch_due=dl.dispatch_due, feedback_due=dl.feedback_due,
                feedback_due_original=dl.feedback_due, reference="SQ-2026-000007")
    base.update(kw)
    return pipeline.ConcernSnapshot(**base)


# A complete, valid request for each action, and where it leads from each state.
REQUESTS = {
    A.DISPATCH: pipeline.Request(A.DISPATCH, unit_code="WY"),
    A.HANDLE: pipeline.Request(A.HANDLE),
    A.ANSWER: pipeline.Request(A.ANSWER, note="已当场解答"),
    A.REJECT: pipeline.Request(A.REJECT, note="不属于受理范围"),
    A.MERGE: pipeline.Request(A.MERGE, merge_into="SQ-2026-000001"),
    A.SIGN: pipeline.Request(A.SIGN),
    A.RETURN: pipeline.Request(A.RETURN, note="非本辖区"),
    A.EXTEND: pipeline.Request(A.EXTEND, note="需协调", until=date(2026, 10, 30)),
    A.PARK: pipeline.Request(A.PARK, note="需要明年资金"),
    A.RESUME: pipeline.Request(A.RESUME),
    A.REPORT: pipeline.Request(A.REPORT, note="已修复"),
    A.FOLLOWUP: pipeline.Request(A.FOLLOWUP, outcome=Outcome.SOLVED, satisfaction=Satisfaction.SATISFIED),
    A.REOPEN: pipeline.Request(A.REOPEN, note="居民反映又坏了"),
    A.AGENDA: pipeline.Request(A.AGENDA, meeting_ref="YS-2026-0001"),
    A.RESOLVE: pipeline.Request(A.RESOLVE, meeting_ref="YS-2026-0001"),
    A.SUPERVISE: pipeline.Request(A.SUPERVISE, supervision=Supervision.YELLOW),
    A.REVIEW: pipeline.Request(A.REVIEW, note="资金仍未到位"),
}

OPEN = [S.RECEIVED, S.DISPATCHED, S.IN_PROGRESS, S.PARKED, S.AWAITING_FOLLOWUP]
TABLE = {  # domain.md §1, row by row
    (S.RECEIVED, A.DISPATCH): S.DISPATCHED,
    (S.RECEIVED, A.HANDLE): S.IN_PROGRESS,
    (S.RECEIVED, A.ANSWER): S.AWAITING_FOLLOWUP,
    (S.RECEIVED, A.REJECT): S.REJECTED,
    **{(st, A.MERGE): S.MERGED for st in (S.RECEIVED, S.DISPATCHED, S.IN_PROGRESS)},
    (S.DISPATCHED, A.SIGN): S.IN_PROGRESS,
    (S.DISPATCHED, A.RETURN): S.RECEIVED,
    (S.IN_PROGRESS, A.RETURN): S.RECEIVED,
    (S.IN_PROGRESS, A.EXTEND): S.IN_PROGRESS,
    (S.IN_PROGRESS, A.PARK): S.PARKED,
    (S.PARKED, A.RESUME): S.IN_PROGRESS,
    (S.PARKED, A.REVIEW): S.PARKED,
    (S.IN_PROGRESS, A.REPORT): S.AWAITING_FOLLOWUP,
    (S.AWAITING_FOLLOWUP, A.FOLLOWUP): S.CLOSED,
    (S.CLOSED, A.REOPEN): S.IN_PROGRESS,
    **{(st, A.AGENDA): st for st in (S.RECEIVED, S.DISPATCHED, S.IN_PROGRESS)},
    **{(st, A.RESOLVE): S.AWAITING_FOLLOWUP for st in (S.RECEIVED, S.DISPATCHED, S.IN_PROGRESS)},
    **{(st, A.SUPERVISE): st for st in OPEN},
}
ALL_PAIRS = [(st, act) for st in Status for act in REQUESTS]


@pytest.mark.parametrize(("status", "action"), [p for p in ALL_PAIRS if p in TABLE],
                         ids=lambda v: v.value)
def test_allowed_transition_reaches_its_state(status: Status, action: Action) -> None:
    change = pipeline.plan(snap(status), REQUESTS[action], NOW, RULES, CAL)
    assert change.from_status is status
    assert change.to_status is TABLE[(status, action)]
    assert change.action is action


@pytest.mark.parametrize(("status", "action"), [p for p in ALL_PAIRS if p not in TABLE],
                         ids=lambda v: v.value)
def test_refused_transition_says_why_in_chinese(status: Status, action: Action) -> None:
    with pytest.raises(DomainError) as err:
        pipeline.plan(snap(status), REQUESTS[action], NOW, RULES, CAL)
    message = err.value.message
    assert status.label in message and action.label in message
    assert "SQ-2026-000007" in message


def test_allowed_actions_lists_only_manual_actions_of_the_state() -> None:
    assert pipeline.allowed_actions(S.DISPATCHED) == [A.MERGE, A.SIGN, A.RETURN, A.AGENDA, A.SUPERVISE]
    assert pipeline.allowed_actions(S.CLOSED) == [A.REOPEN]
    assert pipeline.allowed_actions(S.REJECTED) == []
    assert A.RESOLVE not in pipeline.allowed_actions(S.IN_PROGRESS)


@pytest.mark.parametrize(("action", "field"), [
    (A.DISPATCH, "unit"), (A.REJECT, "note"), (A.RETURN, "note"), (A.PARK, "note"), (A.REOPEN, "note"),
    (A.EXTEND, "note"), (A.MERGE, "merge_into"), (A.FOLLOWUP, "outcome"), (A.SUPERVISE, "supervision"),
    (A.AGENDA, "meeting"), (A.REPORT, "note"),
])
def test_required_details_are_asked_for(action: Action, field: str) -> None:
    start = next(st for (st, a) in TABLE if a is action)
    with pytest.raises(DomainError) as err:
        pipeline.plan(snap(start), pipeline.Request(action), NOW, RULES, CAL)
    assert err.value.field == field


def test_followup_unsolved_or_dissatisfied_sends_it_back_for_rework() -> None:
    for outcome, satisfaction in [(Outcome.UNSOLVED, Satisfaction.BASIC), (Outcome.SOLVED, Satisfaction.DISSATISFIED)]:
        change = pipeline.plan(snap(S.AWAITING_FOLLOWUP, rework_count=1),
                               pipeline.Request(A.FOLLOWUP, outcome=outcome, satisfaction=satisfaction), NOW, RULES, CAL)
        assert change.to_status is S.IN_PROGRESS
        assert change.fields["rework_count"] == 2
        assert change.deadline_after is not None  # the feedback clock runs again


def test_partly_solved_and_basically_satisfied_closes() -> None:
    change = pipeline.plan(snap(S.AWAITING_FOLLOWUP),
                           pipeline.Request(A.FOLLOWUP, outcome=Outcome.PARTLY, satisfaction=Satisfaction.BASIC),
                           NOW, RULES, CAL)
    assert change.to_status is S.CLOSED and change.fields["closed_at"] == NOW


def test_answer_confirmed_on_the_spot_closes_at_once() -> None:
    req = pipeline.Request(A.ANSWER, note="已解答", confirmed=True, outcome=Outcome.SOLVED,
                           satisfaction=Satisfaction.SATISFIED)
    change = pipeline.plan(snap(S.RECEIVED), req, NOW, RULES, CAL)
    assert change.to_status is S.CLOSED
    assert change.fields["first_routed_at"] == NOW


def test_extension_moves_working_deadline_but_keeps_the_original() -> None:
    s = snap(S.IN_PROGRESS)
    change = pipeline.plan(s, REQUESTS[A.EXTEND], NOW, RULES, CAL)
    assert change.fields["feedback_due"] == datetime(2026, 10, 30, 23, 59, 59, tzinfo=TZ)
    assert "feedback_due_original" not in change.fields
    assert change.deadline_before == s.feedback_due and change.deadline_after == change.fields["feedback_due"]
    assert change.fields["extension_count"] == 1


def test_extension_must_be_later_than_current_deadline() -> None:
    with pytest.raises(DomainError, match="晚于当前期限") as err:
        pipeline.plan(snap(S.IN_PROGRESS), pipeline.Request(A.EXTEND, note="x", until=date(2026, 10, 10)),
                      NOW, RULES, CAL)
    assert err.value.field == "until"


def test_return_counts_and_unsets_the_unit() -> None:
    change = pipeline.plan(snap(S.DISPATCHED, unit_code="WY", return_count=2), REQUESTS[A.RETURN], NOW, RULES, CAL)
    assert change.fields["return_count"] == 3 and change.fields["unit_code"] is None
    assert pipeline.is_problem_case(rework_count=0, return_count=3)
    assert not pipeline.is_problem_case(rework_count=2, return_count=2)


def test_dispatch_clock_stops_at_first_routing_only() -> None:
    first = pipeline.plan(snap(S.RECEIVED), REQUESTS[A.DISPATCH], NOW, RULES, CAL)
    assert first.fields["first_routed_at"] == NOW
    again = pipeline.plan(snap(S.RECEIVED, first_routed_at=RECEIVED), REQUESTS[A.DISPATCH], NOW, RULES, CAL)
    assert "first_routed_at" not in again.fields


def test_a_parked_concern_has_a_next_review_date() -> None:
    # Default review: 30 natural days after parking on Fri 2026-10-09, i.e. the end of 2026-11-08.
    parked = pipeline.plan(snap(S.IN_PROGRESS), REQUESTS[A.PARK], NOW, RULES, CAL)
    assert parked.fields["due_at"] == datetime(2026, 11, 8, 23, 59, 59, tzinfo=TZ)
    assert parked.deadline_after == parked.fields["due_at"]
    # The clerk may name the review date instead; it cannot be today or earlier.
    chosen = pipeline.plan(snap(S.IN_PROGRESS), pipeline.Request(A.PARK, note="等资金", until=date(2027, 3, 1)),
                           NOW, RULES, CAL)
    assert chosen.fields["due_at"] == datetime(2027, 3, 1, 23, 59, 59, tzinfo=TZ)
    with pytest.raises(DomainError, match="复核日期") as err:
        pipeline.plan(snap(S.IN_PROGRESS), pipeline.Request(A.PARK, note="等资金", until=date(2026, 10, 8)),
                      NOW, RULES, CAL)
    assert err.value.field == "until"
    # 挂账复核 moves the review on and keeps the concern parked.
    review_due = datetime(2026, 10, 9, 23, 59, 59, tzinfo=TZ)
    reviewed = pipeline.plan(snap(S.PARKED, due_at=review_due),
                             pipeline.Request(A.REVIEW, note="资金仍未到位", until=date(2026, 12, 15)), NOW, RULES, CAL)
    assert reviewed.to_status is S.PARKED
    assert reviewed.deadline_before == review_due
    assert reviewed.fields["due_at"] == datetime(2026, 12, 15, 23, 59, 59, tzinfo=TZ)
    with pytest.raises(DomainError, match="复核情况"):
        pipeline.plan(snap(S.PARKED), pipeline.Request(A.REVIEW), NOW, RULES, CAL)
    # Supervising a parked concern leaves its review date alone; resuming restarts the handling clock.
    supervised = pipeline.plan(snap(S.PARKED, due_at=review_due), REQUESTS[A.SUPERVISE], NOW, RULES, CAL)
    assert "due_at" not in supervised.fields and supervised.deadline_after == review_due
    resumed = pipeline.plan(snap(S.PARKED, due_at=review_due), REQUESTS[A.RESUME], NOW, RULES, CAL)
    assert resumed.fields["due_at"] == snap(S.PARKED).feedback_due


def test_follow_up_has_its_own_limit_of_two_working_days() -> None:
    # Reported on Fri 2026-10-09. Sat 10-10 is a worked weekend (国庆调休), so the two working
    # days are Sat 10-10 and Mon 10-12: the call-back is due by the end of 2026-10-12.
    reported = pipeline.plan(snap(S.IN_PROGRESS), REQUESTS[A.REPORT], NOW, RULES, CAL)
    assert reported.to_status is S.AWAITING_FOLLOWUP
    assert reported.fields["due_at"] == datetime(2026, 10, 12, 23, 59, 59, tzinfo=TZ)
    # Due soon from the start of the last working day.
    assert reported.fields["warn_at"] == datetime(2026, 10, 12, 0, 0, tzinfo=TZ)
    answered = pipeline.plan(snap(S.RECEIVED), REQUESTS[A.ANSWER], NOW, RULES, CAL)
    assert answered.fields["due_at"] == reported.fields["due_at"]
    # A follow-up that sends it back to work restarts the feedback clock, not the follow-up one.
    rework = pipeline.plan(snap(S.AWAITING_FOLLOWUP, due_at=reported.fields["due_at"]),
                           pipeline.Request(A.FOLLOWUP, outcome=Outcome.UNSOLVED, satisfaction=Satisfaction.DISSATISFIED),
                           NOW, RULES, CAL)
    assert rework.deadline_before == reported.fields["due_at"]
    assert rework.to_status is S.IN_PROGRESS and rework.fields["due_at"] == rework.fields["feedback_due"]


def test_the_follow_up_limit_is_configurable() -> None:
    from grassroots_tui.config import load_toml
    from grassroots_tui.domain.deadlines import Limit, SlaRules

    data = load_toml("sla.toml")
    data["followup"] = {"hours": 4}
    rules = SlaRules.from_mapping(data)
    assert rules.followup == Limit(hours=4)
    reported = pipeline.plan(snap(S.IN_PROGRESS), REQUESTS[A.REPORT], NOW, rules, CAL)
    assert reported.fields["due_at"] == datetime(2026, 10, 9, 13, 0, tzinfo=TZ)
    with pytest.raises(ValueError):
        SlaRules.from_mapping({**data, "followup": {"working_days": 2, "hours": 3}})


def test_supervision_to_the_same_level_is_refused() -> None:
    with pytest.raises(DomainError, match="已经是"):
        pipeline.plan(snap(S.IN_PROGRESS, supervision=Supervision.YELLOW), REQUESTS[A.SUPERVISE], NOW, RULES, CAL)


def test_merge_into_itself_is_refused() -> None:
    with pytest.raises(DomainError, match="自己"):
        pipeline.plan(snap(S.RECEIVED), pipeline.Request(A.MERGE, merge_into="SQ-2026-000007"), NOW, RULES, CAL)


def test_action_before_intake_is_refused() -> None:
    with pytest.raises(DomainError, match="早于受理时间"):
        pipeline.plan(snap(S.RECEIVED), REQUESTS[A.DISPATCH], datetime(2026, 9, 1, tzinfo=TZ), RULES, CAL)


def test_rework_counts_a_fresh_feedback_limit_from_the_followup() -> None:
    # Received Wed 2026-09-30 10:00; the ordinary feedback limit (7 working days, data/sla.toml)
    # ended in October, long before a dissatisfied follow-up on Mon 2026-11-30 09:00. The rework
    # gets the class's limit counted from then: Dec 1, 2, 3, 4, 7, 8, 9 -> Wed 2026-12-09 end of
    # day. The original deadline is not touched.
    late = datetime(2026, 11, 30, 9, 0, tzinfo=TZ)
    before = snap(S.AWAITING_FOLLOWUP)
    change = pipeline.plan(before, pipeline.Request(A.FOLLOWUP, outcome=Outcome.UNSOLVED,
                                                    satisfaction=Satisfaction.DISSATISFIED), late, RULES, CAL)
    fresh = RULES.classes[Urgency.ORDINARY].feedback.due(late, CAL)
    assert fresh == datetime(2026, 12, 9, 23, 59, 59, tzinfo=TZ)
    assert change.fields["feedback_due"] == fresh == change.deadline_after
    assert fresh > late and before.feedback_due < late
    assert "feedback_due_original" not in change.fields
    assert change.fields["warn_at"] > late  # not due soon the moment it is reworked
    reopened = pipeline.plan(snap(S.CLOSED), pipeline.Request(A.REOPEN, note="居民再次反映"), late, RULES, CAL)
    assert reopened.fields["feedback_due"] == fresh
