# portal answers (issue 11)
from .answers import OwnerRating, SecondReview  # noqa: E402
from .category import Category
from .choices import (
    TERMINAL_STATES,
    Channel,
    ClaimState,
    ClosureKind,
    ContactMethod,
    Exemption,
    FollowUpMethod,
    FollowUpRating,
    IssueState,
    Kind,
    Level,
    Method,
    ProjectPhase,
    QmDecision,
    ReplyState,
    ReviewStage,
    Severity,
    State,
    UnclosedOutcome,
)
from .complaint import Attachment, Complaint, ComplaintIssue, CoSigner, ReceiptCounter
from .events import AppendOnlyError, ComplaintEvent
from .handling import CompensationClaim, DeveloperForward, FollowUp, NonconformityReport, Reply, ReplyReview
from .intake_log import DailyReconciliation, SavedFilter, SuggestionBoxOpening
from .obligations import Obligation
from .privacy import PersonalDataAccess
from .procedure import FirstContact

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
    "ContactMethod",
    "FirstContact",
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
    "FollowUpRating",
    "IssueState",
    "Kind",
    "Level",
    "Method",
    "ProjectPhase",
    "QmDecision",
    "NonconformityReport",
    "Obligation",
    "ReceiptCounter",
    "Reply",
    "ReplyReview",
    "ReplyState",
    "ReviewStage",
    "Severity",
    "State",
    "UnclosedOutcome",
]
