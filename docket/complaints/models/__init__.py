# portal answers (issue 11)
from .answers import OwnerRating, SecondReview  # noqa: E402
from .category import Category
from .choices import (
    TERMINAL_STATES,
    Channel,
    ClaimState,
    ClosureKind,
    Exemption,
    FollowUpMethod,
    IssueState,
    Kind,
    Level,
    Method,
    ReplyState,
    ReviewStage,
    Severity,
    State,
)
from .complaint import Attachment, Complaint, ComplaintIssue, CoSigner, ReceiptCounter
from .events import AppendOnlyError, ComplaintEvent
from .handling import CompensationClaim, DeveloperForward, FollowUp, NonconformityReport, Reply, ReplyReview
from .intake_log import DailyReconciliation, SavedFilter, SuggestionBoxOpening
from .obligations import Obligation
from .privacy import PersonalDataAccess

__all__ = [
    "OwnerRating",
    "SecondReview",
    "TERMINAL_STATES",
    "AppendOnlyError",
    "Attachment",
    "Category",
    "Channel",
    "ClaimState",
    "ClosureKind",
    "CoSigner",
    "CompensationClaim",
    "Complaint",
    "DailyReconciliation",
    "SavedFilter",
    "PersonalDataAccess",
    "SuggestionBoxOpening",
    "ComplaintEvent",
    "ComplaintIssue",
    "DeveloperForward",
    "Exemption",
    "FollowUp",
    "FollowUpMethod",
    "IssueState",
    "Kind",
    "Level",
    "Method",
    "NonconformityReport",
    "Obligation",
    "ReceiptCounter",
    "Reply",
    "ReplyReview",
    "ReplyState",
    "ReviewStage",
    "Severity",
    "State",
]
